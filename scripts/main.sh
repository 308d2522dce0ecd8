#!/usr/bin/env bash
# `npm run main [-- OPTIONS]`: prepare the machine, then run the main job. With --iso the user
# brings the ISO, so no fixture ISO is built.
set -euo pipefail
cd "$(dirname "$0")/.."
prepare=()
for arg in "$@"; do [ "$arg" = --iso ] || [[ "$arg" == --iso=* ]] && prepare=(--no-fixture); done
bash scripts/prepare.sh "${prepare[@]}"
exec node dist/cli/main.js run "$@"
