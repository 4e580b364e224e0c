#!/usr/bin/env bash
# Config Key of large plists: time and peak memory of the streaming key (`config_key_of_xml`) against the
# tree (read values, then hash), on plists of 1, 4 and 12 MB (a full settings dictionary, a long URL
# filter table in SEB's key order, and the same written in macOS's case-sensitive key order).
# Usage: benches/config_key_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
cargo build --release --quiet -p seb-format --example config_key
bin=target/release/examples/config_key
python3 - "$work" <<'PY'
import plistlib, sys
root = sys.argv[1]
for mb in (1, 4, 12):
    rules = [{"action": 1, "active": True, "expression": f"host-{i}.exam.example.org/path/to/resource/*", "regex": False}
             for i in range(mb * 4400)]
    d = {"allowQuit": True, "URLFilterEnable": True, "URLFilterRules": rules, "startURL": "https://lms.example.org/",
         "originatorVersion": "SEB_OSX_3.4", "quitURL": "", "browserViewMode": 1}
    key = lambda k: (k.lower(), [c.isupper() for c in k])
    with open(f"{root}/seb-order-{mb}.plist", "wb") as f:
        plistlib.dump({k: d[k] for k in sorted(d, key=key)}, f, sort_keys=False)
    with open(f"{root}/mac-order-{mb}.plist", "wb") as f:
        plistlib.dump(d, f, sort_keys=True)
PY
for f in "$work"/*.plist; do
  size=$(stat -c %s "$f")
  for mode in stream tree; do
    flag=""; [ "$mode" = tree ] && flag="--tree"
    best=""
    for _ in 1 2 3; do
      /usr/bin/time -f "%e %M" -o "$work/t" "$bin" $flag "$f" > "$work/key-$mode"
      read -r secs kb < "$work/t"
      if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$secs" "${best% *}"; then best="$secs $kb"; fi
    done
    read -r secs kb <<< "$best"
    python3 -c "import sys; s,kb,n=float(sys.argv[1]),int(sys.argv[2]),int(sys.argv[3]); print(f'{sys.argv[4]:<20} {sys.argv[5]:<6} {n/1e6:6.1f} MB in {s:.3f} s (best of 3, whole process) = {n/1e6/max(s,1e-3):6.0f} MB/s, peak RSS {kb/1024:5.1f} MiB')" "$secs" "$kb" "$size" "$(basename "$f")" "$mode"
  done
  cmp -s "$work/key-stream" "$work/key-tree" || { echo "keys differ for $f" >&2; exit 1; }
done
