#!/usr/bin/env bash
# `npm run main [-- OPTIONS]`: prepare the machine, then the main job.
#   without --iso: the whole matrix on the built-in fixtures: every scenario under BIOS on the
#                  kiwi-live MBR hybrid (into --out, default out/), every scenario under UEFI on the
#                  kiwi-live EFI hybrid (into OUT/uefi/), which is what boots a deployed disk under
#                  UEFI, the Secure Boot scenarios under uefi-secure on the same ISO (into
#                  OUT/uefi-secure/), and every scenario under both firmwares on the dmsquash fixture (into
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
# The test CA a fixture's image trusts, kept beside its ISO (ram-deploy-https-verified).
tls_ca() { local d; d=$(dirname "$1"); echo "--tls-ca=$d/tls-ca.crt,$d/tls-ca.key"; }
status=0
node dist/cli/main.js run --firmware bios "$@" || status=$?
efi_iso=$(bash images/build-fixture.sh --firmware efi --path)
node dist/cli/main.js run --firmware uefi "$@" --iso "$efi_iso" "$(tls_ca "$efi_iso")" --out "$out/uefi" || { s=$?; [ "$s" -gt "$status" ] && status=$s; }
# Secure Boot on the EFI hybrid's shim chain: the scenarios whose boot chain differs with it (each
# loader transport, each disk boot, the refused kernel, a loader missing its kernel); the rest of the
# boot after the kernel is the same as under uefi.
node dist/cli/main.js run --firmware uefi-secure --scenario ram-deploy-http --scenario ram-deploy-http-lpxelinux \
    --scenario disk-deploy-standalone --scenario persistent-lifecycle --scenario secure-boot-kernel-altered \
    --scenario netboot-kernel-missing "$@" --iso "$efi_iso" --out "$out/uefi-secure" || { s=$?; [ "$s" -gt "$status" ] && status=$s; }
dmsquash_iso=$(bash images/build-fixture.sh --firmware efi --module dmsquash)
node dist/cli/main.js run --firmware both "$@" --iso "$dmsquash_iso" "$(tls_ca "$dmsquash_iso")" --out "$out/dmsquash" || { s=$?; [ "$s" -gt "$status" ] && status=$s; }
echo "main: kiwi-live: BIOS on the MBR fixture in $out/, UEFI on the EFI hybrid in $out/uefi/, Secure Boot in $out/uefi-secure/; dmsquash: both firmwares in $out/dmsquash/ (exit $status)"
exit "$status"
