#!/usr/bin/env bash
# Side-by-side timings of changenet and the reference workload of ../shared/bench
# (docs/PERFORMANCE.md): builds both, runs the three graphs alternating ROUNDS times under
# /usr/bin/time (whole process: wall seconds and peak resident memory), and reports median
# and min of the whole-process time and of each one's own simulation-part figure; then,
# unless PEERS=0, NDlib and Mesa once each in a throwaway virtual environment under /tmp on
# the graphs they manage (NDlib on er takes minutes). Not part of .ci/run.
#
# Then (unless STEP=0) the step target: one step of the full model at the ER graph's size
# (scenarios/bench/full_1m_5m.ron, 2 threads) against one step of the kernel's full sweep
# (`st`) on the ER graph, alternating ROUNDS times; each round's ratio is reported.
#
# Then (unless THREADS=0) the thread targets: 1 against 2 threads, alternating ROUNDS
# times, on one large run (the full model at 1M organisations with 5M and with 10M ties,
# per step) and on a sweep of independent runs (small.ron, 10 x 10 grid x 8 replicates =
# 800 runs, whole process; its runs.csv must be the same bytes at both).
#
# usage: benches/compare_reference.sh [ROUNDS=5]
# env:   PEERS=0 skips NDlib and Mesa; STEP=0 skips the step target; THREADS=0 the
#        thread targets; BUILD=0 uses the binaries already built; BENCH=path of the reference folder
#        (default: ../shared/bench beside the repository); OUT=results folder
#        (default /tmp/changenet-bench); GRAPHS="ws ba er".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$(cd "${BENCH:-$ROOT/../shared/bench}" 2>/dev/null && pwd) || {
    echo "compare_reference.sh: no reference folder at ${BENCH:-$ROOT/../shared/bench}" >&2
    exit 1
}
ROUNDS=${1:-5}
OUT=${OUT:-/tmp/changenet-bench}
GRAPHS=${GRAPHS:-"ws ba er"}
KTARGET=/tmp/refkernel
VENV=/tmp/changenet-peers-venv
mkdir -p "$OUT/kernel-out"
LOG="$OUT/runs.jsonl"
: > "$LOG"

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
    "$(free -g | awk '/Mem:/ {print $2}') GiB; $(rustc -V); load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${BUILD:-1}" != 0 ]; then
    echo "# building changenet (--profile dist) and the reference kernel (release)"
    (cd "$ROOT" && cargo build --quiet --profile dist --bin changenet)
    (cd "$BENCH/kernel" && cargo build --quiet --release --target-dir "$KTARGET")
fi
CHANGENET="$ROOT/target/dist/changenet"
KERNEL="$KTARGET/release/reference-kernel"

peer_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet numpy networkx igraph ndlib six future mesa
    fi
}

if [[ " $GRAPHS " == *" er "* ]] && [ ! -f "$BENCH/data/er.edges" ]; then
    echo "# $BENCH/data/er.edges is missing: generating it (gen_graphs.py er, about 3 minutes)"
    peer_venv
    (cd "$BENCH" && "$VENV/bin/python" gen_graphs.py er)
fi

# One timed whole-process run: appends a JSON line (tool, graph, round, wall, peak RSS and
# the program's own load/simulation figures) to the log.
timed() {
    local tool=$1 g=$2 r=$3
    shift 3
    /usr/bin/time -f '%e %M %U %S' -o "$OUT/time.txt" "$@" > "$OUT/stdout.txt"
    python3 - "$tool" "$g" "$r" "$OUT/time.txt" "$OUT/stdout.txt" >> "$LOG" <<'EOF'
import json, sys
tool, g, r, tfile, ofile = sys.argv[1:]
wall, rss_kb, user, system = open(tfile).read().split()[-4:]
own = json.loads(open(ofile).read().strip().splitlines()[-1])
if tool.startswith("kernel"):
    load, sim, sim_cpu = own["setup_s"], own["median_s"], own["median_cpu_s"]
elif tool in ("ndlib", "mesa"):
    load, sim, sim_cpu = own["setup_s"], own["loop_s"], None
else:
    load, sim, sim_cpu = own["load_s"], own["simulate_s"], own["simulate_cpu_s"]
print(json.dumps(dict(tool=tool, graph=g, round=int(r), wall_s=float(wall),
                      cpu_s=float(user) + float(system), peak_rss_mb=int(rss_kb) / 1024,
                      load_s=load, simulate_s=sim, simulate_cpu_s=sim_cpu,
                      steps=own["steps"], final_adopters=own["final_adopters"],
                      digest=own["digest"])))
EOF
}

echo "# $ROUNDS rounds, alternating the kernel (st_delta, 1 rep) and changenet bench"
for r in $(seq 1 "$ROUNDS"); do
    for g in $GRAPHS; do
        kernel=(env NO_QUIET_WAIT=1 "$KERNEL" "$BENCH/data" "$OUT/kernel-out" "$g" 1 st_delta)
        # The scenario's data paths point at ../shared/bench beside the checkout: use $BENCH's.
        ours=("$CHANGENET" bench "$ROOT/scenarios/bench/$g.ron"
            --set "network.model=PlainEdges(file: \"$BENCH/data/$g.edges\")"
            --set "practices[0].seeds=Some(Targets(pick: File(\"$BENCH/data/$g.seeds\")))")
        if (( r % 2 )); then
            timed kernel "$g" "$r" "${kernel[@]}"
            timed changenet "$g" "$r" "${ours[@]}"
        else
            timed changenet "$g" "$r" "${ours[@]}"
            timed kernel "$g" "$r" "${kernel[@]}"
        fi
    done
done

if [ "${STEP:-1}" != 0 ] && [ -f "$BENCH/data/er.edges" ]; then
    echo "# $ROUNDS rounds, alternating the kernel's full sweep (st, er) and the full model (2 threads)"
    for r in $(seq 1 "$ROUNDS"); do
        kernel=(env NO_QUIET_WAIT=1 "$KERNEL" "$BENCH/data" "$OUT/kernel-out" er 1 st)
        ours=(env RAYON_NUM_THREADS=2 "$CHANGENET" bench "$ROOT/scenarios/bench/full_1m_5m.ron")
        if (( r % 2 )); then
            timed kernel-st er-step "$r" "${kernel[@]}"
            timed full-model er-step "$r" "${ours[@]}"
        else
            timed full-model er-step "$r" "${ours[@]}"
            timed kernel-st er-step "$r" "${kernel[@]}"
        fi
    done
fi

if [ "${THREADS:-1}" != 0 ]; then
    echo "# $ROUNDS rounds, alternating 1 and 2 threads: the full model, then an 800-run sweep"
    sweep=("$CHANGENET" sweep "$ROOT/scenarios/small.ron" --vary 'practices[0].effect=0.04..0.13'
        --vary 'ties.decay=0.01..0.1' --points 10 -r 8 -q --no-report)
    for r in $(seq 1 "$ROUNDS"); do
        order=(1 2)
        (( r % 2 )) || order=(2 1)
        for size in 5m 10m; do
            for j in "${order[@]}"; do
                timed "full-model-$j" "threads-run-$size" "$r" env RAYON_NUM_THREADS="$j" \
                    "$CHANGENET" bench "$ROOT/scenarios/bench/full_1m_$size.ron"
            done
        done
        # "1core": -j 1 with the whole process held to one core (the calling thread, which
        # only waits for the pool, then shares that core too).
        for j in "${order[@]}" 1core; do
            rm -rf "$OUT/sweep-$j"
            pin=()
            [ "$j" = 1core ] && pin=(taskset -c 0)
            /usr/bin/time -f '%e %M %U %S' -o "$OUT/time.txt" "${pin[@]}" "${sweep[@]}" \
                -j "${j%core}" -o "$OUT/sweep-$j" > "$OUT/stdout.txt"
            python3 - "$j" "$r" "$OUT/time.txt" >> "$LOG" <<'EOF'
import json, sys
j, r, tfile = sys.argv[1:]
wall, rss_kb, user, system = open(tfile).read().split()[-4:]
print(json.dumps(dict(tool=f"sweep-{j}", graph="threads-sweep", round=int(r), wall_s=float(wall),
                      cpu_s=float(user) + float(system), peak_rss_mb=int(rss_kb) / 1024)))
EOF
        done
        cmp -s "$OUT/sweep-1/runs.csv" "$OUT/sweep-2/runs.csv" &&
            cmp -s "$OUT/sweep-1/runs.csv" "$OUT/sweep-1core/runs.csv" || {
            echo "compare_reference.sh: the sweep's runs.csv differs between 1 and 2 threads" >&2
            exit 1
        }
    done
fi

if [ "${PEERS:-1}" != 0 ]; then
    echo "# peers, once each (NDlib on ws, ba, er; Mesa on ws, ba)"
    peer_venv
    for spec in "ndlib ws" "ndlib ba" "mesa ws" "mesa ba" "ndlib er"; do
        set -- $spec
        [[ " $GRAPHS " == *" $2 "* ]] || continue
        timed "$1" "$2" 1 "$VENV/bin/python" "$ROOT/benches/peers.py" "$1" "$BENCH/data" "$2"
    done
fi

python3 - "$LOG" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in rows:
    by.setdefault((r["graph"], r["tool"]), []).append(r)
def col(rs, k):
    v = [r[k] for r in rs if r.get(k) is not None]
    return (statistics.median(v), min(v)) if v else (float("nan"), float("nan"))
print("whole = the process under /usr/bin/time (wall s; user+sys CPU s); sim = the program's"
      " own step-loop figure (wall s; CPU s of that loop); each median / min")
print(f"{'graph':5} {'tool':9} {'n':>2} {'whole wall':>15} {'whole cpu':>15} {'sim wall':>17} "
      f"{'sim cpu':>17} {'load':>7} {'peak MB':>7}  adopters digest")
for (g, tool), rs in sorted(by.items()):
    if g == "threads-sweep":
        continue
    f = lambda k, p: "%s / %s" % tuple(format(x, p) for x in col(rs, k))
    print(f"{g:5} {tool:9} {len(rs):2} {f('wall_s', '.3f'):>15} {f('cpu_s', '.3f'):>15} "
          f"{f('simulate_s', '.4f'):>17} {f('simulate_cpu_s', '.4f'):>17} "
          f"{col(rs, 'load_s')[0]:7.3f} {max(r['peak_rss_mb'] for r in rs):7.0f}  "
          f"{rs[0]['final_adopters']} {rs[0]['digest'][:12]}")
print("\nratios changenet / other (below 1: changenet faster), of medians:")
for g in sorted({k[0] for k in by}):
    ours = by.get((g, "changenet"))
    if not ours:
        continue
    for tool in ("kernel", "ndlib", "mesa"):
        rs = by.get((g, tool))
        if not rs:
            continue
        r = lambda k: col(ours, k)[0] / col(rs, k)[0] if col(rs, k)[0] else float("nan")
        print(f"  {g}: vs {tool:7} whole wall {r('wall_s'):9.4f}  whole cpu {r('cpu_s'):9.4f}  "
              f"sim wall {r('simulate_s'):9.4f}  sim cpu {r('simulate_cpu_s'):9.4f}")
steps = {(r["tool"], r["round"]): r["simulate_s"] / r["steps"] for r in rows
         if r["graph"] == "er-step"}
if steps:
    print("\nstep target: one full-model step (mean over its steps) / one `st` step, per round"
          " (target: at most 3):")
    rounds = sorted({k[1] for k in steps})
    paired = [steps[("full-model", n)] / steps[("kernel-st", n)] for n in rounds
              if ("full-model", n) in steps and ("kernel-st", n) in steps]
    for tool in ("kernel-st", "full-model"):
        v = [steps[(tool, n)] for n in rounds if (tool, n) in steps]
        print(f"  {tool:10} step s: median {statistics.median(v):.4f}, min {min(v):.4f}")
    print("  ratios:", " ".join(f"{x:.2f}" for x in paired),
          f"(median {statistics.median(paired):.2f})")
def per_round(graph, value, one="1"):
    got = {(r["tool"], r["round"]): value(r) for r in rows if r["graph"] == graph}
    tools = sorted({k[0].rsplit("-", 1)[0] + "-" for k in got})
    return [(got[(t + one, n)], got[(t + "2", n)]) for t in tools
            for n in sorted({k[1] for k in got}) if (t + one, n) in got and (t + "2", n) in got]
for graph, what, value, target, one in [
        ("threads-run-5m", "one large run, 1M organisations and 5M ties (s a step)",
         lambda r: r["simulate_s"] / r["steps"], 1.5, "1"),
        ("threads-run-10m", "one large run, 1M organisations and 10M ties (s a step)",
         lambda r: r["simulate_s"] / r["steps"], 1.5, "1"),
        ("threads-sweep", "an 800-run sweep (whole process s)", lambda r: r["wall_s"], 1.8, "1"),
        ("threads-sweep", "the same sweep held to one core at -j 1 (whole process s)",
         lambda r: r["wall_s"], 1.8, "1core")]:
    pairs = per_round(graph, value, one)
    if pairs:
        ones, twos = [p[0] for p in pairs], [p[1] for p in pairs]
        print(f"\n{what}, {one} / 2 threads per round (target: 2 threads at least {target}x"
              " faster):")
        print("  ", " ".join(f"{a:.3f}/{b:.3f}" for a, b in pairs))
        print(f"  medians {statistics.median(ones):.3f} / {statistics.median(twos):.3f}:"
              f" {statistics.median(ones) / statistics.median(twos):.2f}x; paired ratios"
              f" {' '.join(f'{a / b:.2f}' for a, b in pairs)}"
              f" (median {statistics.median(a / b for a, b in pairs):.2f})")
rows = [r for r in rows if "digest" in r]
digests = {(r["graph"], r["tool"].startswith("full-model"), r["digest"]) for r in rows}
graphs = {(r["graph"], r["tool"].startswith("full-model")) for r in rows}
print("\nsame final adopters everywhere:", len(digests) == len(graphs))
EOF
echo "# raw runs: $LOG"
