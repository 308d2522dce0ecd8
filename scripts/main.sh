#!/usr/bin/env bash
# `npm run main [-- OPTIONS]`: prepare the machine, then the main job.
#   without --iso: the whole matrix on the built-in fixtures, as one run in one worker pool
#                  (scripts/main-job.config.ts): every scenario under BIOS on the kiwi-live MBR
#                  hybrid (into OUT/bios/, --out default out/), every scenario under UEFI on the
#                  kiwi-live EFI hybrid (OUT/uefi/), the Secure Boot scenarios under uefi-secure on
#                  the same ISO (OUT/uefi-secure/), and every scenario under both firmwares on the
#                  dmsquash fixture (OUT/dmsquash/; those dmsquash cannot do are SKIPPED with the reason),
#                  and every scenario under AAVMF on the aarch64 fixture (OUT/aarch64/);
#   with --iso:    one run of your ISO with your options; no fixture ISO is built.
set -euo pipefail
cd "$(dirname "$0")/.."
out=out
own_iso=no
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --iso|--iso=*) own_iso=yes ;;
        --out) out=${args[i+1]:-out} ;;
        --out=*) out=${args[i]#--out=} ;;
    esac
done
if [ "$own_iso" = yes ]; then
    bash scripts/prepare.sh --no-fixture
    exec node dist/cli/main.js run "$@"
fi
bash scripts/prepare.sh
# One run over the fixtures' projects (scripts/main-job.config.ts), in one worker pool.
PXE_MAIN_MBR_ISO=$(bash images/build-fixture.sh --firmware bios)
PXE_MAIN_EFI_ISO=$(bash images/build-fixture.sh --firmware efi)
PXE_MAIN_DMSQUASH_ISO=$(bash images/build-fixture.sh --firmware efi --module dmsquash)
PXE_MAIN_AARCH64_ISO=$(bash images/build-fixture.sh --arch aarch64)
export PXE_MAIN_MBR_ISO PXE_MAIN_EFI_ISO PXE_MAIN_DMSQUASH_ISO PXE_MAIN_AARCH64_ISO
status=0
node dist/cli/main.js run --config scripts/main-job.config.ts "$@" || status=$?
echo "main: kiwi-live under BIOS in $out/bios/, UEFI in $out/uefi/, Secure Boot in $out/uefi-secure/; dmsquash under both firmwares in $out/dmsquash/; aarch64 under AAVMF in $out/aarch64/ (exit $status)"
exit "$status"
