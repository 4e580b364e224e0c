#!/usr/bin/env bash
# Fuzzes sebc's readers with cargo-fuzz (libFuzzer): container, plist, exam, masking (no literal secret in
# any rendering of any diagnostic), token, extends (generated `extends` graphs), roster (the CSV reader).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 60 s, every target)
# Seeds come from fixtures/ and, when present, the SEB test vectors. Crashes are saved under
# fuzz/artifacts/<target>/: turn each into a regression test (tests/fuzz_regressions.rs).
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 enables them on the stable toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(container plist exam masking token extends roster)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
export RUSTC_BOOTSTRAP=1
vectors="${SEB_VECTORS_DIR:-../shared/seb-vectors}"
seed() {  # seed TARGET FILES...
  local dir="fuzz/corpus/$1"; shift
  mkdir -p "$dir"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$dir/seed-$(basename "$f")"; done
}
seed container fixtures/templates/*.plist $(find "$vectors" -name '*.seb' 2>/dev/null)
seed plist fixtures/templates/*.plist fixtures/invalid/support/*.plist $(find "$vectors" -name '*.plist' -o -name '*.xml' 2>/dev/null)
for t in exam masking; do  # both read a selector byte (0 YAML, 1 TOML, 2 JSON), then the exam text
  mkdir -p "fuzz/corpus/$t"
  for f in fixtures/*/*.yaml fixtures/*/*.yml; do [ -f "$f" ] && { printf '\0'; cat "$f"; } > "fuzz/corpus/$t/seed-$(basename "$f")"; done
  for f in fixtures/*/*.toml; do [ -f "$f" ] && { printf '\1'; cat "$f"; } > "fuzz/corpus/$t/seed-$(basename "$f")"; done
  for f in fixtures/*/*.json; do [ -f "$f" ] && { printf '\2'; cat "$f"; } > "fuzz/corpus/$t/seed-$(basename "$f")"; done
done
# Literal secrets the masking target's property applies to, beside other mistakes on their lines.
printf '\0exam: { id: m }\nseb: { quitPassword: &pw h@nter2#x, alowQuit: *pw }\nservce: { appSecret: s3c;ret~y }\n' > fuzz/corpus/masking/seed-flow-alias
printf '\1exam = { id = "m" }\nseb = { quitPasword = "h@nter2#x", x = "h@nter2#x" }\n' > fuzz/corpus/masking/seed-toml-inline
printf '\2{"seb": {"quitPassword": "h@nter2#x", "URLFilterRules": ["h@nter2#x", 1]}}\n' > fuzz/corpus/masking/seed-json-line
mkdir -p fuzz/corpus/extends
printf '\3\2\1\1\0\2\2\2\1\1\0\0' > fuzz/corpus/extends/seed-diamond
mkdir -p fuzz/corpus/token
printf '%s' 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJjb250ZXh0Ijp7InVzZXIiOnsibmFtZSI6IlRlc3QgTmFtZSJ9fSwibW9kZXJhdG9yIjp0cnVlLCJhdWQiOiJ0ZXN0LWNsaWVudCIsImlzcyI6InRlc3QtYXBwIiwic3ViIjoic2ViLWppdHNpLmV4YW1wbGUuY2giLCJyb29tIjoiU29tZVJvb20iLCJleHAiOjE2MDk0NTkyMDB9.47qoBCXG34ITeMmrwxlTmDcc6JLSVVF1HAOlcSkCvqw' > fuzz/corpus/token/seed-seb-server
seed roster fixtures/valid/support/*.csv
printf 'id,name,room\r\n"a""b",x\r\n' > fuzz/corpus/roster/seed-quotes
cd fuzz
cargo fuzz build -O >/dev/null
for t in "${targets[@]}"; do
  echo "== fuzzing $t for ${seconds}s"
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 2>&1 \
    | grep -E '^#[0-9]+ *DONE|^Done|SUMMARY|panicked|ERROR|crash-' || true
  if ls "artifacts/$t"/crash-* >/dev/null 2>&1; then echo "!! $t: crashes in fuzz/artifacts/$t"; exit 1; fi
done
