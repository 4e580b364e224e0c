#!/usr/bin/env bash
# Runs every check (the README's "test" command): formatting, lints, and the whole test suite,
# including the interop test against an independent Python decoder and the pre-commit hook test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import cryptography' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check cryptography
fi
export SEBC_REQUIRE_INTEROP=1
# tests/precommit.rs runs the sebc-validate hook with `pre-commit try-repo`.
if ! command -v pre-commit >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
export SEBC_REQUIRE_PRECOMMIT=1
vectors="${SEB_VECTORS_DIR:-../shared/seb-vectors}"
if [ ! -f "$vectors/README.md" ]; then
  if [ "${SEBC_REQUIRE_VECTORS:-}" = 1 ]; then
    echo "error: SEB test vectors not found at $vectors (SEBC_REQUIRE_VECTORS=1)" >&2
    exit 1
  fi
  echo "NOTE: SEB test vectors not found at $vectors: the vector tests will pass without checking anything." >&2
  echo "      Set SEB_VECTORS_DIR to run them." >&2
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --quiet
