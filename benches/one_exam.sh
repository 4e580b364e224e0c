#!/usr/bin/env bash
# One exam as a whole process: `sebc --version` (the floor: starting the binary) against `sebc compile`
# and `sebc validate` of one small Jitsi-proctored YAML exam that extends a YAML template (issue #17's
# target: within 2x of --version). Usage: benches/one_exam.sh [ROUNDS]
# Each of ROUNDS rounds (default 5) times the three commands side by side, BENCH_RUNS runs each (default
# 30, hyperfine if installed, else a spawn loop in Python); printed: the median wall time of each command
# with its min–max over the rounds, and the ratios to --version (median of the per-round ratios, min–max).
# Then each command's CPU time and minor page faults per run (kernel accounting, BENCH_RUNS runs).
# With valgrind installed, the instructions each command executes (callgrind; repeatable on a noisy
# machine) and their ratios follow. SEBC_BIN=path times that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
runs="${BENCH_RUNS:-30}"
if [ -z "${SEBC_BIN:-}" ]; then
    cargo build --release --quiet
    SEBC_BIN="$PWD/target/release/sebc"
fi
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/templates" "$work/out"
cat > "$work/templates/base.yaml" <<'YAML'
seb:
  allowQuit: true
  quitPassword: { env: BENCH_QUIT }
  showTime: true
YAML
cat > "$work/exam.yaml" <<'YAML'
exam:
  id: math-101-final
  name: Math 101 final
  start: 2026-12-01T09:00:00Z
  end: 2026-12-01T11:00:00Z
  participants: 40
extends:
  - templates/base.yaml
seb:
  startURL: https://lms.example.org/mod/quiz/view.php?id=42
  URLFilterEnable: true
  URLFilterRules:
    - { active: true, regex: false, expression: "lms.example.org/*", action: 1 }
proctoring:
  jitsiMeetAudioMuted: true
service:
  enableProctoring: true
  serverType: JITSI_MEET
  serverURL: https://meet.example.org
  appKey: seb-exams
  appSecret: { env: BENCH_JITSI }
  collectingRoomSize: 20
clients:
  windows: "3.2..3.6"
  macos: false
output:
  format: seb
YAML
export BENCH_QUIT=q BENCH_JITSI=j SOURCE_DATE_EPOCH=1795996800
cd "$work"
commands=("$SEBC_BIN --version" "$SEBC_BIN compile exam.yaml -o out" "$SEBC_BIN validate exam.yaml")
names=("--version" "compile" "validate")
for c in "${commands[@]}"; do
    $c > /dev/null 2>&1 || { echo "failed: $c" >&2; $c; exit 1; }
done

for r in $(seq 1 "$rounds"); do
    if command -v hyperfine > /dev/null; then
        hyperfine -N --warmup 5 --runs "$runs" --export-json "round-$r.json" "${commands[@]}" > /dev/null 2>&1
    else
        python3 - "$runs" "round-$r.json" "${commands[@]}" <<'PY'
import json, os, sys, time
runs, out, commands = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
devnull = os.open(os.devnull, os.O_WRONLY)
results = []
for c in commands:
    argv = c.split()
    times = []
    for i in range(runs + 5):
        t = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        os.waitpid(pid, 0)
        if i >= 5:
            times.append(time.perf_counter() - t)
    results.append({"command": c, "times": times})
json.dump({"results": results}, open(out, "w"))
PY
    fi
done

python3 - "$rounds" "${names[@]}" <<'PY'
import json, statistics, sys
rounds, names = int(sys.argv[1]), sys.argv[2:]
per_round = [json.load(open(f"round-{r}.json"))["results"] for r in range(1, rounds + 1)]
medians = [[statistics.median(res["times"]) * 1e3 for res in rnd] for rnd in per_round]
print(f"wall time, {rounds} rounds (median of each round's runs):")
for i, name in enumerate(names):
    col = [m[i] for m in medians]
    print(f"  {name:10} {statistics.median(col):7.2f} ms  (rounds {min(col):.2f}–{max(col):.2f})")
for i, name in enumerate(names[1:], start=1):
    ratios = [m[i] / m[0] for m in medians]
    print(f"  {name} / --version: {statistics.median(ratios):.2f}x  (rounds {min(ratios):.2f}–{max(ratios):.2f})")
PY

# CPU time (user + system, from the kernel's accounting of the children) and minor page faults per run:
# steadier than wall time on a busy machine, and the faults show what a run's memory costs (each first
# touch of a page is a trap into the kernel, about 2 µs on the development VM).
python3 - "$runs" "${names[@]}" -- "${commands[@]}" <<'PY'
import os, resource, sys
args = sys.argv[1:]
runs, rest = int(args[0]), args[1:]
split = rest.index("--")
names, commands = rest[:split], rest[split + 1:]
devnull = os.open(os.devnull, os.O_WRONLY)
print(f"CPU and page faults per run ({runs} runs):")
base = None
for name, c in zip(names, commands):
    argv = c.split()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        os.waitpid(pid, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) / runs * 1e3
    faults = (after.ru_minflt - before.ru_minflt) / runs
    base = base or cpu
    print(f"  {name:10} {cpu:6.2f} ms CPU ({cpu / base:.2f}x --version), {faults:5.0f} page faults")
PY

if command -v valgrind > /dev/null; then
    echo "instructions (valgrind --tool=callgrind):"
    base=""
    for i in "${!commands[@]}"; do
        n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null ${commands[$i]} 2>&1 >/dev/null \
            | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -1)
        if [ -z "$base" ]; then base="$n"; fi
        python3 -c "import sys; n, b = int(sys.argv[2]), int(sys.argv[3]); print(f'  {sys.argv[1]:10} {n/1e6:7.2f} M  ({n/b:.1f}x --version)')" "${names[$i]}" "$n" "$base"
    done
fi
