#!/usr/bin/env bash
# pswd against its floor, and the floor itself against OpenSSL. A `pswd` .seb costs two PBKDF2-HMAC-SHA1
# derivations of 10,000 rounds (RNCryptor v3: one key for AES, one for the HMAC) and little else.
# Prints, from crates/seb-format/benches/floors.rs: container::encode with a password of a typical
# plist / the two derivations alone (median and min–max of interleaved repeats); then our two
# derivations against OpenSSL's (Python `cryptography`), alternating BENCH_REPEATS times (default 5):
# median and min–max of the ratio ours/OpenSSL.
# Usage: benches/pswd_floor.sh   (needs python3 with `cryptography`)
set -euo pipefail
cd "$(dirname "$0")/.."
bench="$(cargo bench -p seb-format --bench floors --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "floors" and m.get("executable"):
        print(m["executable"])')"
"$bench" --ratios=pswd | grep -v '^pbkdf2-pair-ms'
python3 - "${BENCH_REPEATS:-5}" "$bench" <<'PY'
import statistics, subprocess, sys, time
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

repeats, bench = int(sys.argv[1]), sys.argv[2]

def openssl_pair_ms():
    """The Rust side's statistic: median of 5 pairs, 11 times, then the median."""
    times = []
    for _ in range(11 * 5):
        start = time.perf_counter()
        for salt in (b"saltsalt", b"tlastlas"):
            PBKDF2HMAC(algorithm=hashes.SHA1(), length=32, salt=salt, iterations=10_000).derive(b"password")
        times.append(time.perf_counter() - start)
    return statistics.median(statistics.median(times[i:i + 5]) for i in range(0, len(times), 5)) * 1e3

ours, openssl, ratios = [], [], []
for _ in range(repeats):
    out = subprocess.run([bench, "--ratios=pswd"], capture_output=True, text=True, check=True).stdout
    mine = float(next(l.split()[2] for l in out.splitlines() if l.startswith("pbkdf2-pair-ms")))
    theirs = openssl_pair_ms()
    ours.append(mine); openssl.append(theirs); ratios.append(mine / theirs)

def spread(v):
    return f"{statistics.median(v):.3f} (min {min(v):.3f}, max {max(v):.3f})"

print(f"2 PBKDF2-HMAC-SHA1 derivations of 10,000 rounds: ours {spread(ours)} ms, OpenSSL {spread(openssl)} ms")
print(f"ours / OpenSSL: {spread(ratios)}x over {repeats} alternating runs")
PY
