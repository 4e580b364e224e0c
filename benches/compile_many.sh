#!/usr/bin/env bash
# Whole-process benchmark: generates N varied exams (default 1000; YAML, TOML and JSON; URL filters,
# templates, Jitsi proctoring, encrypted and plain .seb) and times `sebc compile` on them, printing exams
# per second and peak memory. Usage: benches/compile_many.sh [N] [extra sebc compile flags...]
# BENCH_ENCRYPTED=0 leaves out the password-encrypted exams (a quarter of them by default).
# BENCH_DIR: where exams and outputs go; default /dev/shm (tmpfs) when writable, so that the figures
# are the pipelines' CPU and not the file system's: on this project's VMs (ext4 on a virtual disk),
# creating and renaming 2,000 files costs ~0.6 s of system time, the same for both pipelines.
# Then sebc and benches/python_peer.py (the same outputs from plistlib, jsonschema, PyJWT and
# cryptography, in 2 worker processes) run side by side BENCH_REPEATS times (default 5), alternating;
# printed: median wall and CPU time of each with min–max, and the ratios Python/sebc (median, min–max
# over the pairs). BENCH_PYTHON=0 skips the comparison (it needs pyyaml, jsonschema, pyjwt, cryptography).
# BENCH_SEBC=PATH times that sebc binary instead of this tree's release build (to compare two builds
# against the same Python peer under the same load).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"; shift || true
bench_dir="${BENCH_DIR:-}"
if [ -z "$bench_dir" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then bench_dir=/dev/shm; fi
work="$(mktemp -d ${bench_dir:+-p "$bench_dir"})"; trap 'rm -rf "$work"' EXIT
echo "working in $work"
sebc="${BENCH_SEBC:-target/release/sebc}"
[ -n "${BENCH_SEBC:-}" ] || cargo build --release --quiet
python3 - "$work/exams" "$n" <<'PY'
import json, os, sys
root, n = sys.argv[1], int(sys.argv[2])
encrypt = os.environ.get("BENCH_ENCRYPTED", "1") != "0"  # BENCH_ENCRYPTED=0: no pswd exams
os.makedirs(f"{root}/templates", exist_ok=True)
with open(f"{root}/templates/base.yaml", "w") as f:
    f.write("seb:\n  allowQuit: true\n  quitPassword: { env: BENCH_QUIT }\n  enableLogging: true\n  showTime: true\n")
for i in range(n):
    kind = i % 4
    seb = {"startURL": f"https://lms.example.org/mod/quiz/view.php?id={i}", "allowSpellCheck": i % 2 == 0,
           "audioVolumeLevel": i % 100, "URLFilterEnable": True,
           "URLFilterRules": [{"active": True, "regex": False, "expression": f"host{j}.example.org/*", "action": 1} for j in range(i % 7 + 1)]}
    exam = {"exam": {"id": f"exam-{i:05d}", "name": f"Exam {i}", "start": "2026-12-01T09:00:00Z", "end": "2026-12-01T11:00:00Z", "participants": 10 + i % 90},
            "extends": ["../templates/base.yaml"], "seb": seb, "output": {"format": "seb"}}
    if kind == 1:
        exam["service"] = {"enableProctoring": True, "serverType": "JITSI_MEET", "serverURL": "https://meet.example.org",
                           "appKey": "bench", "appSecret": {"env": "BENCH_JITSI"}, "collectingRoomSize": 20}
        exam["proctoring"] = {"jitsiMeetAudioMuted": True}
        # Live proctoring runs only on these releases (SEB for macOS quits, Windows 3.7+ switched it off).
        exam["clients"] = {"windows": "3.2..3.6", "macos": False}
    if kind == 2 and encrypt:
        exam["output"]["encryption"] = {"password": {"env": "BENCH_PW"}}
    d = f"{root}/group-{i // 250}"
    os.makedirs(d, exist_ok=True)
    if i % 3 == 0:
        with open(f"{d}/exam-{i:05d}.json", "w") as f:
            json.dump(exam, f)
    elif i % 3 == 1:
        # YAML (JSON is YAML too, written in flow style)
        with open(f"{d}/exam-{i:05d}.yaml", "w") as f:
            for k, v in exam.items():
                f.write(f"{k}: {json.dumps(v)}\n")
    else:
        rules = "".join(f'[[seb.URLFilterRules]]\nactive = true\nregex = false\nexpression = "{r["expression"]}"\naction = 1\n\n' for r in seb["URLFilterRules"])
        t = f'extends = ["../templates/base.yaml"]\n\n[exam]\nid = "exam-{i:05d}"\nname = "Exam {i}"\nstart = 2026-12-01T09:00:00Z\nend = 2026-12-01T11:00:00Z\nparticipants = {10 + i % 90}\n\n'
        t += f'[seb]\nstartURL = "{seb["startURL"]}"\nallowSpellCheck = {str(seb["allowSpellCheck"]).lower()}\naudioVolumeLevel = {seb["audioVolumeLevel"]}\nURLFilterEnable = true\n\n' + rules
        t += '[output]\nformat = "seb"\n'
        if kind == 2 and encrypt:
            t += 'encryption = { password = { env = "BENCH_PW" } }\n'
        if kind == 1:
            t += '\n[clients]\nwindows = "3.2..3.6"\nmacos = false\n'
            t += '\n[service]\nenableProctoring = true\nserverType = "JITSI_MEET"\nserverURL = "https://meet.example.org"\nappKey = "bench"\nappSecret = { env = "BENCH_JITSI" }\ncollectingRoomSize = 20\n'
        with open(f"{d}/exam-{i:05d}.toml", "w") as f:
            f.write(t)
PY
export BENCH_QUIT=q BENCH_JITSI=j BENCH_PW=p SOURCE_DATE_EPOCH=1795996800
cores=$(nproc)
run() {
  local label="$1"; shift
  rm -rf "$work/out"
  /usr/bin/time -f "%e %M" -o "$work/time" "$sebc" compile "$work/exams" -o "$work/out" --quiet "$@" 2>"$work/stderr" >/dev/null || { cat "$work/stderr"; exit 1; }
  read -r secs kb < "$work/time"
  local files; files=$(find "$work/out" -type f | wc -l)
  python3 -c "import sys; s,kb,n,f,c=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]),int(sys.argv[4]),int(sys.argv[5]); print(f'{sys.argv[6]:<28} {n} exams, {f} files in {s:.2f} s: {n/s:,.0f} exams/s ({n/s/c:,.0f} per core on {c} cores), peak RSS {kb/1024:.1f} MiB')" "$secs" "$kb" "$n" "$files" "$cores" "$label"
}
run "all cores" "$@"
run "one core" -j 1 "$@"

[ "${BENCH_PYTHON:-1}" = 0 ] && exit 0
"$sebc" schema --out-dir "$work/schemas" >/dev/null
repeats="${BENCH_REPEATS:-5}"
: > "$work/pairs"
for _ in $(seq "$repeats"); do
  rm -rf "$work/out" "$work/py"
  /usr/bin/time -f "%e %U %S" -o "$work/t1" "$sebc" compile "$work/exams" -o "$work/out" --quiet -j 2 "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
  /usr/bin/time -f "%e %U %S" -o "$work/t2" python3 benches/python_peer.py "$work/schemas" schemas/seb-catalog.json "$work/py" "$work/exams" 2 >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }
  echo "$(cat "$work/t1") $(cat "$work/t2")" >> "$work/pairs"
done
[ "$(find "$work/py" -type f | wc -l)" = "$(find "$work/out" -type f | wc -l)" ] || { echo "the peer wrote other files than sebc" >&2; exit 1; }
python3 - "$work/pairs" "$n" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
n = int(sys.argv[2])
def show(xs): return f"{statistics.median(xs):.3f} ({min(xs):.3f}–{max(xs):.3f})"
rust_wall, rust_cpu = [r[0] for r in rows], [r[1] + r[2] for r in rows]
py_wall, py_cpu = [r[3] for r in rows], [r[4] + r[5] for r in rows]
print(f"side by side, {len(rows)} runs each, {n} exams, 2 workers each: median (min–max)")
def per_exam(rs, i): return statistics.median([r[i] for r in rs]) / n * 1e6
print(f"  sebc    wall {show(rust_wall)} s   CPU {show(rust_cpu)} s   = {statistics.median(rust_cpu) / n * 1e6:,.0f} µs CPU per exam ({per_exam(rows, 1):,.0f} user + {per_exam(rows, 2):,.0f} system)")
print(f"  python  wall {show(py_wall)} s   CPU {show(py_cpu)} s   = {statistics.median(py_cpu) / n * 1e6:,.0f} µs CPU per exam ({per_exam(rows, 4):,.0f} user + {per_exam(rows, 5):,.0f} system)")
wall = [p / r for p, r in zip(py_wall, rust_wall)]
cpu = [p / r for p, r in zip(py_cpu, rust_cpu)]
print(f"  python/sebc: wall {statistics.median(wall):.1f}× ({min(wall):.1f}–{max(wall):.1f}), CPU {statistics.median(cpu):.1f}× ({min(cpu):.1f}–{max(cpu):.1f})")
PY
