#!/usr/bin/env bash
# Side-by-side timings of changenet and the reference workload of ../shared/bench
# (docs/PERFORMANCE.md): builds both, runs the three graphs alternating ROUNDS times under
# /usr/bin/time (whole process: wall seconds and peak resident memory), and reports median
# and min of the whole-process time and of each one's own simulation-part figure; then,
# unless PEERS=0, NDlib and Mesa once each in a throwaway virtual environment under /tmp on
# the graphs they manage (NDlib on er takes minutes). Not part of .ci/run.
#
# usage: benches/compare_reference.sh [ROUNDS=5]
# env:   PEERS=0 skips NDlib and Mesa; BENCH=path of the reference folder
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

echo "# building changenet (--profile dist) and the reference kernel (release)"
(cd "$ROOT" && cargo build --quiet --profile dist --bin changenet)
(cd "$BENCH/kernel" && cargo build --quiet --release --target-dir "$KTARGET")
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
    /usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" > "$OUT/stdout.txt"
    python3 - "$tool" "$g" "$r" "$OUT/time.txt" "$OUT/stdout.txt" >> "$LOG" <<'EOF'
import json, sys
tool, g, r, tfile, ofile = sys.argv[1:]
wall, rss_kb = open(tfile).read().split()[-2:]
own = json.loads(open(ofile).read().strip().splitlines()[-1])
if tool == "kernel":
    load, sim = own["setup_s"], own["median_s"]
elif tool in ("ndlib", "mesa"):
    load, sim = own["setup_s"], own["loop_s"]
else:
    load, sim = own["load_s"], own["simulate_s"]
print(json.dumps(dict(tool=tool, graph=g, round=int(r), wall_s=float(wall),
                      peak_rss_mb=int(rss_kb) / 1024, load_s=load, simulate_s=sim,
                      steps=own["steps"], final_adopters=own["final_adopters"],
                      digest=own["digest"])))
EOF
}

echo "# $ROUNDS rounds, alternating the kernel (st_delta, 1 rep) and changenet bench"
for r in $(seq 1 "$ROUNDS"); do
    for g in $GRAPHS; do
        kernel=(env NO_QUIET_WAIT=1 "$KERNEL" "$BENCH/data" "$OUT/kernel-out" "$g" 1 st_delta)
        ours=("$CHANGENET" bench "$ROOT/scenarios/bench/$g.ron")
        if (( r % 2 )); then
            timed kernel "$g" "$r" "${kernel[@]}"
            timed changenet "$g" "$r" "${ours[@]}"
        else
            timed changenet "$g" "$r" "${ours[@]}"
            timed kernel "$g" "$r" "${kernel[@]}"
        fi
    done
done

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
print(f"{'graph':5} {'tool':9} {'runs':>4} {'whole med':>10} {'whole min':>10} {'sim med':>9} "
      f"{'sim min':>9} {'load med':>9} {'peak MB':>8}  adopters digest")
for (g, tool), rs in sorted(by.items()):
    w = [r["wall_s"] for r in rs]
    s = [r["simulate_s"] for r in rs]
    l = [r["load_s"] for r in rs]
    print(f"{g:5} {tool:9} {len(rs):4} {statistics.median(w):10.3f} {min(w):10.3f} "
          f"{statistics.median(s):9.4f} {min(s):9.4f} {statistics.median(l):9.3f} "
          f"{max(r['peak_rss_mb'] for r in rs):8.0f}  {rs[0]['final_adopters']} {rs[0]['digest'][:12]}")
print("\nratios (other / changenet; above 1 means changenet is faster), medians:")
for g in sorted({k[0] for k in by}):
    ours = by.get((g, "changenet"))
    if not ours:
        continue
    ow = statistics.median(r["wall_s"] for r in ours)
    osim = statistics.median(r["simulate_s"] for r in ours)
    for tool in ("kernel", "ndlib", "mesa"):
        rs = by.get((g, tool))
        if rs:
            tw = statistics.median(r["wall_s"] for r in rs)
            ts = statistics.median(r["simulate_s"] for r in rs)
            print(f"  {g}: {tool:7} whole {tw / ow:8.2f}x   simulation {ts / osim:9.2f}x")
digests = {(r["graph"], r["digest"]) for r in rows}
graphs = {r["graph"] for r in rows}
print("\nsame final adopters everywhere:", len(digests) == len(graphs))
EOF
echo "# raw runs: $LOG"
