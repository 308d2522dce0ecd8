#!/usr/bin/env bash
# Unpacks Debian's GRUB EFI modules of another architecture into the harness's cache, for the EFI
# netboot of a guest of that architecture: an amd64 host's archive has no grub-efi-arm64-bin, but
# the same Debian mirror has it for arm64. apt reads the machine's own sources (no mirror is named
# here), with its lists and downloads kept apart from the system's, and nothing is installed.
#
#   scripts/fetch-grub-efi.sh arm64     -> $CACHE/grub-arm64-efi/usr/lib/grub/arm64-efi
set -euo pipefail
die() { printf 'fetch-grub-efi: %s\n' "$*" >&2; exit 2; }
arch=${1:-}
case "$arch" in
    arm64) pkg=grub-efi-arm64-bin; platform=arm64-efi ;;
    *) die "pass the Debian architecture whose GRUB EFI modules to fetch: arm64 (got '${arch}')" ;;
esac
cache=${PXE_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pxe-harness}
out="$cache/grub-$platform"
if [ -s "$out/usr/lib/grub/$platform/kernel.img" ]; then echo "$out/usr/lib/grub/$platform"; exit 0; fi
work=$(mktemp -d "${TMPDIR:-/tmp}/fetch-grub-efi.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/archives/partial"
opts=(-q -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Dir::State::Lists=$work/lists"
      -o "Dir::Cache=$work" -o "Dir::Cache::archives=$work/archives" -o Dir::State::status=/dev/null -o Debug::NoLocking=1
      -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update >"$work/update.log" 2>&1 || { cat "$work/update.log" >&2; die "apt-get update for $arch failed"; }
( cd "$work" && apt-get "${opts[@]}" download "$pkg" >"$work/download.log" 2>&1 ) ||
    { cat "$work/download.log" >&2; die "apt-get download $pkg ($arch) failed: is $pkg in this machine's Debian sources?"; }
rm -rf "$out.part" && mkdir -p "$out.part"
dpkg-deb -x "$work"/"$pkg"_*.deb "$out.part"
# The package's name and version, which the harness reports beside the host packages' versions.
dpkg-deb -f "$work"/"$pkg"_*.deb Package Version Architecture >"$out.part/PACKAGE"
[ -s "$out.part/usr/lib/grub/$platform/kernel.img" ] || die "$pkg has no usr/lib/grub/$platform/kernel.img"
rm -rf "$out" && mv "$out.part" "$out"
echo "$out/usr/lib/grub/$platform"
