#!/usr/bin/env bash
# `npm run main [-- OPTIONS]`: prepare the machine, then the main job.
#   without --iso: the whole matrix on the built-in fixtures: every scenario under BIOS on the
#                  kiwi-live MBR hybrid (into --out, default out/), every scenario under UEFI on the
#                  kiwi-live EFI hybrid (into OUT/uefi/), which is what boots a deployed disk under
#                  UEFI, and every scenario under both firmwares on the dmsquash fixture (into
#                  OUT/dmsquash/; the ones dmsquash cannot do are SKIPPED with the reason);
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
status=0
node dist/cli/main.js run --firmware bios "$@" || status=$?
efi_iso=$(bash images/build-fixture.sh --firmware efi --path)
node dist/cli/main.js run --firmware uefi "$@" --iso "$efi_iso" --out "$out/uefi" || { s=$?; [ "$s" -gt "$status" ] && status=$s; }
dmsquash_iso=$(bash images/build-fixture.sh --firmware efi --module dmsquash)
node dist/cli/main.js run --firmware both "$@" --iso "$dmsquash_iso" --out "$out/dmsquash" || { s=$?; [ "$s" -gt "$status" ] && status=$s; }
echo "main: kiwi-live: BIOS on the MBR fixture in $out/, UEFI on the EFI hybrid in $out/uefi/; dmsquash: both firmwares in $out/dmsquash/ (exit $status)"
exit "$status"
