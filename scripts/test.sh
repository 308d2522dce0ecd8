#!/usr/bin/env bash
# `npm test`: prepare the host, then the unit tests while the fixture ISOs build (the unit tests
# need no ISO; the builds need minutes), then the real boots.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare.sh --no-fixture
log="${TMPDIR:-/tmp}/pxe-harness-fixture-build.$$.log"
# The aarch64 fixture (47 to 91 min from nothing under qemu-user-static, measured on two 2-core machines) only when asked: the boot
# tests boot it when it is built, and say SKIPPED with the reason when it is not.
aarch64=true
[ "${PXE_HARNESS_AARCH64_FIXTURE:-}" = build ] && aarch64="bash images/build-fixture.sh --arch aarch64"
( bash images/build-fixture.sh --firmware bios && bash images/build-fixture.sh --firmware efi &&
  bash images/build-fixture.sh --firmware efi --module dmsquash && $aarch64 ) >"$log" 2>&1 &
builder=$!
unit=0
npx --no-install vitest run --project unit "$@" || unit=$?
if ! wait "$builder"; then
    tail -n 30 "$log" >&2
    echo "test.sh: the fixture ISO build failed (log: $log)" >&2
    exit 1
fi
grep -h 'fixture ' "$log" | tail -n 5 >&2 || true
rm -f "$log" # kept above only when the build failed: it is the evidence then
npx --no-install vitest run --project boot "$@"
exit "$unit"
