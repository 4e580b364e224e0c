#!/usr/bin/env bash
# Runs every check (the README's "test" command): formatting, lints, and the whole test suite,
# including the interop test against an independent Python decoder.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import cryptography' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check cryptography
fi
export SEBC_REQUIRE_INTEROP=1
cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet
