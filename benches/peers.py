"""The reference threshold cascade (../shared/bench/README.md) in two peer tools, for the
speed ratios in docs/PERFORMANCE.md. Run by benches/compare_reference.sh in a throwaway
virtual environment (pip install ndlib mesa networkx); not part of the test suite.

usage: python peers.py ndlib|mesa DATA_DIR GRAPH

Prints one JSON line: tool, graph, setup seconds (graph and model building), step-loop
seconds, steps (the last, quiet one included), final adopters and their sha256 digest
(sorted ids, one `id\\n` each), as the reference kernel prints them.

Rule (NDlib's): a non-adopter with ties adopts at step t+1 iff adopting neighbours at t /
degree >= 0.18; synchronous; stop after the first step adding no adopter or 100 steps.
"""
import hashlib
import json
import sys
import time

PHI = 0.18
MAX_STEPS = 100


def load(data, g):
    import networkx as nx

    with open(f"{data}/{g}.meta.json") as f:
        n = json.load(f)["n"]
    G = nx.Graph()
    G.add_nodes_from(range(n))
    with open(f"{data}/{g}.edges") as f:
        G.add_edges_from((int(a), int(b)) for a, b in (line.split() for line in f if line.strip()))
    with open(f"{data}/{g}.seeds") as f:
        seeds = [int(x) for x in f if x.strip()]
    return G, seeds


def digest(adopters):
    text = "".join(f"{i}\n" for i in sorted(adopters))
    return hashlib.sha256(text.encode()).hexdigest()


def run_ndlib(G, seeds):
    import ndlib.models.ModelConfig as mc
    import ndlib.models.epidemics as ep

    model = ep.ThresholdModel(G)
    config = mc.Configuration()
    config.add_model_initial_configuration("Infected", seeds)
    for i in G.nodes():
        config.add_node_configuration("threshold", i, PHI)
    model.set_initial_status(config)
    model.iteration()  # NDlib's iteration 0 reports the initial state
    t = time.perf_counter()
    steps = 0
    while steps < MAX_STEPS:
        steps += 1
        it = model.iteration()
        if it["status_delta"].get(1, 0) == 0:
            break
    loop = time.perf_counter() - t
    adopters = [i for i, s in model.status.items() if s == 1]
    return loop, steps, adopters


def run_mesa(G, seeds):
    import mesa

    class Org(mesa.Agent):
        """One organisation: two-phase update, decide from the current state, then apply."""

        def __init__(self, model, adopted):
            super().__init__(model)
            self.adopted = adopted
            self.next = adopted
            self.neighbours = []

        def step(self):
            if not self.adopted and self.neighbours:
                k = sum(1 for o in self.neighbours if o.adopted)
                self.next = k / len(self.neighbours) >= PHI

        def advance(self):
            if self.next and not self.adopted:
                self.model.new += 1
            self.adopted = self.next

    class Cascade(mesa.Model):
        def __init__(self, G, seeds):
            super().__init__(seed=1)
            chosen = set(seeds)
            self.orgs = {v: Org(self, v in chosen) for v in G.nodes()}
            for v, o in self.orgs.items():
                o.neighbours = [self.orgs[w] for w in G.neighbors(v)]
            self.new = 0

        def step(self):
            self.new = 0
            self.agents.do("step")
            self.agents.do("advance")

    t = time.perf_counter()
    m = Cascade(G, seeds)
    build = time.perf_counter() - t
    t = time.perf_counter()
    steps = 0
    while steps < MAX_STEPS:
        steps += 1
        m.step()
        if m.new == 0:
            break
    loop = time.perf_counter() - t
    adopters = [v for v, o in m.orgs.items() if o.adopted]
    return loop, steps, adopters, build


def main():
    tool, data, g = sys.argv[1], sys.argv[2], sys.argv[3]
    t0 = time.perf_counter()
    G, seeds = load(data, g)
    setup = time.perf_counter() - t0
    from importlib.metadata import version as installed

    if tool == "ndlib":
        version = installed("ndlib")
        loop, steps, adopters = run_ndlib(G, seeds)
    elif tool == "mesa":
        version = installed("mesa")
        loop, steps, adopters, build = run_mesa(G, seeds)
        setup += build
    else:
        sys.exit(f"unknown tool {tool!r}: ndlib or mesa")
    print(json.dumps(dict(tool=tool, version=version, graph=g, setup_s=round(setup, 3),
                          loop_s=round(loop, 4), whole_s=round(time.perf_counter() - t0, 3),
                          steps=steps, final_adopters=len(adopters), digest=digest(adopters))))


if __name__ == "__main__":
    main()
