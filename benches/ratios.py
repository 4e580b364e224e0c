#!/usr/bin/env python3
"""Ratios between criterion benchmarks measured in the same run, with their spread.

Usage: cargo bench --bench pipeline && python3 benches/ratios.py [target/criterion]

Each line is a ratio of the mean times (`baseline / measured`: times faster; or `measured / baseline`:
times the cost of its floor), and in brackets the ratio of the ends of the two 95 % confidence
intervals: the spread of the repeated samples criterion took. Only the newest result of each benchmark
is read.
"""
import json
import pathlib
import sys

# (what is measured, its baseline, how to read the ratio, whether it is a cost: measured / baseline)
PAIRS = [
    ("stages/plist + Config Key, defaults rendered once",
     "stages/plist + Config Key, straightforward",
     "fast path: times faster than writing every setting afresh", False),
    ("container/pswd encode (35 KB exam)",
     "container/PBKDF2 floor (2 x 10,000 rounds)",
     "pswd encode: times its PBKDF2 floor (target at most 1.1)", True),
    ("config-key/streamed key of a * plist (in order)",
     "config-key/read + key of a * plist",
     "streamed Config Key: times faster than reading values first", False),
]


def estimates(root):
    """full_id -> (mtime, mean, lower, upper) of every benchmark's newest result."""
    found = {}
    for bench in root.glob("**/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        path = bench.parent / "estimates.json"
        all_estimates = json.loads(path.read_text())
        # The figure criterion prints: the slope of the linear fit, or the mean for flat sampling.
        est = all_estimates.get("slope") or all_estimates["mean"]
        ci = est["confidence_interval"]
        found[meta["full_id"]] = (path.stat().st_mtime, est["point_estimate"], ci["lower_bound"], ci["upper_bound"])
    return found


def pick(found, pattern):
    """The newest result whose id matches `pattern` (`*` stands for a size)."""
    head, _, tail = pattern.partition("*")
    hits = [v for k, v in found.items() if k == pattern or ("*" in pattern and k.startswith(head) and k.endswith(tail))]
    return max(hits, default=None)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    found = estimates(root)
    missing = False
    for measured, baseline, label, cost in PAIRS:
        m, b = pick(found, measured), pick(found, baseline)
        if m is None or b is None:
            print(f"{label}: not measured ({measured if m is None else baseline})")
            missing = True
            continue
        m, b = m[1:], b[1:]
        if cost:
            ratio, low, high = m[0] / b[0], m[1] / b[2], m[2] / b[1]
        else:
            ratio, low, high = b[0] / m[0], b[1] / m[2], b[2] / m[1]
        print(f"{label}: {ratio:.2f}× ({low:.2f}–{high:.2f}); {m[0] / 1e3:,.1f} µs against {b[0] / 1e3:,.1f} µs")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
