#!/usr/bin/env bash
# Compiles every bundled valid fixture into out/ (the README's "run" command).
# Fixture secrets come from the environment; demo values are used where a variable is unset.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SEBC_FIXTURE_QUIT_PASSWORD:=demo-quit}" "${SEBC_FIXTURE_ADMIN_PASSWORD:=demo-admin}"
: "${SEBC_FIXTURE_JITSI_SECRET:=demo-jitsi}" "${SEBC_FIXTURE_ZOOM_CLIENT_SECRET:=demo-zoom-client}"
: "${SEBC_FIXTURE_ZOOM_SDK_SECRET:=demo-zoom-sdk}" "${SEBC_FIXTURE_SPS_SECRET:=demo-sps}"
: "${SEBC_FIXTURE_SPS_PASSWORD:=demo-sps-password}" "${SEBC_FIXTURE_EXAM_PASSWORD:=demo-exam}"
export SEBC_FIXTURE_QUIT_PASSWORD SEBC_FIXTURE_ADMIN_PASSWORD SEBC_FIXTURE_JITSI_SECRET \
  SEBC_FIXTURE_ZOOM_CLIENT_SECRET SEBC_FIXTURE_ZOOM_SDK_SECRET SEBC_FIXTURE_SPS_SECRET \
  SEBC_FIXTURE_SPS_PASSWORD SEBC_FIXTURE_EXAM_PASSWORD
cargo build --release --quiet
mapfile -t exams < <(find fixtures/valid -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.toml' -o -name '*.json' \) | sort)
target/release/sebc compile "${exams[@]}" -o out "$@"
