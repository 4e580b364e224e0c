#!/usr/bin/env bash
# Config Key of large plists, whole process: time and peak memory of the key streamed from the file
# through its window (`config_key_of_reader`), streamed from the file read into memory
# (`config_key_of_xml`) and through parsed values (the tree), against a baseline measured in the same
# run: `openssl dgst -sha256` of the same file (reading it and hashing every byte with SHA-NI). Plists of 1, 4 and 12 MB (a
# few settings and a long URL filter table) in SEB's key order and in macOS's case-sensitive order.
# Each mode runs BENCH_REPEATS times (default 5), alternating with the baseline; printed: the median
# wall time with min–max, MB/s, the median ratio to the baseline with min–max, and the peak RSS.
# Usage: benches/config_key_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cargo build --release --quiet -p seb-format --example config_key
python3 - "$work" target/release/examples/config_key "${BENCH_REPEATS:-5}" <<'PY'
import os, plistlib, statistics, subprocess, sys, time
root, bin, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = []
for mb in (1, 4, 12):
    rules = [{"action": 1, "active": True, "expression": f"host-{i}.exam.example.org/path/to/resource/*", "regex": False}
             for i in range(mb * 4400)]
    d = {"allowQuit": True, "URLFilterEnable": True, "URLFilterRules": rules, "startURL": "https://lms.example.org/",
         "originatorVersion": "SEB_OSX_3.4", "quitURL": "", "browserViewMode": 1}
    key = lambda k: (k.lower(), [c.isupper() for c in k])
    for order, data in (("seb", {k: d[k] for k in sorted(d, key=key)}), ("mac", d)):
        path = f"{root}/{order}-order-{mb}.plist"
        with open(path, "wb") as f:
            plistlib.dump(data, f, sort_keys=order == "mac")
        files.append(path)

def run(argv):
    """Wall time of one process, and its stdout."""
    start = time.perf_counter()
    out = subprocess.run(argv, stdout=subprocess.PIPE, check=True).stdout
    return time.perf_counter() - start, out

def peak_kib(argv):
    """Peak RSS of one process, from GNU time (the child of a small process, not of this one)."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True).stderr
    return int(out.split()[-1])

def spread(v, fmt):
    return f"{fmt(statistics.median(v))} ({fmt(min(v))}–{fmt(max(v))})"

for path in files:
    size = os.path.getsize(path)
    keys = set()
    print(f"{os.path.basename(path)}: {size / 1e6:.1f} MB")
    for mode, flag in (("stream (file window)", []), ("stream (bytes in memory)", ["--bytes"]), ("tree", ["--tree"])):
        times, ratios = [], []
        for _ in range(repeats):
            base, _ = run(["openssl", "dgst", "-sha256", path])
            t, out = run([bin, *flag, path])
            keys.add(out)
            times.append(t); ratios.append(t / base)
        print(f"  {mode:<25} {spread(times, lambda s: f'{s * 1e3:.1f}')} ms, "
              f"{size / 1e6 / statistics.median(times):4.0f} MB/s, "
              f"{spread(ratios, lambda r: f'{r:.2f}')}x openssl sha256, "
              f"peak RSS {peak_kib([bin, *flag, path]) / 1024:.1f} MiB")
    if len(keys) != 1:
        sys.exit(f"keys differ for {path}")
PY
