#!/usr/bin/env bash
# Makes a fresh Debian machine ready for pxe-harness, and does nothing that is already done:
# host packages (apt-get), node modules (npm ci), the TypeScript build, and the fixture ISO
# (built once by images/build-fixture.sh, then cached outside the repo). `npm run main` and
# `npm test` call it first, so both work on a fresh machine with nothing but Node and npm.
#
#   --no-fixture     the user brings an ISO (--iso): build no fixture ISO and install no debootstrap
#   --no-test-tools  only what running the harness needs: no chromium (the tests' headless browser)
set -euo pipefail
fixture=yes
test_tools=yes
for arg in "$@"; do
    case "$arg" in
        --no-fixture) fixture=no ;;
        --no-test-tools) test_tools=no ;;
        *) echo "prepare.sh: unknown option $arg (use --no-fixture, --no-test-tools)" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
say() { printf '[prepare] %s\n' "$*" >&2; }

# Host packages, by their Debian names (see README: what each is for).
# What running the harness needs (the same names on Debian 12 and Ubuntu 22.04/24.04).
packages=(qemu-system-x86 qemu-utils ipxe-qemu pxelinux syslinux-common ovmf grub-efi-amd64-bin grub-efi-amd64-signed grub-common xorriso socat fdisk curl ca-certificates openssl zstd xz-utils lz4 e2fsprogs vblade iproute2)
# aarch64 guests: QEMU's arm64 system emulator and AAVMF (UEFI for its virt machine).
packages+=(qemu-system-arm qemu-efi-aarch64)
# The fixtures' build roots: debootstrap; the aarch64 one runs its programs under qemu-user-static.
[ "$fixture" = yes ] && packages+=(debootstrap qemu-user-static binfmt-support)
[ "$test_tools" = yes ] && packages+=(chromium)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    say "installing host packages: ${missing[*]}"
    # A broken third-party source must not stop the install from the Debian archive.
    $sudo apt-get update -qq || say "apt-get update reported errors; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing node modules (npm ci)"
    # The registry these machines reach lacks some other-platform optional packages (rollup's
    # android/darwin/... builds answer 404), so npm records none of them in the lock file and
    # npm ci then calls the lock "out of sync". npm install --no-save installs the same locked
    # versions without rewriting the lock.
    npm_log="${TMPDIR:-/tmp}/npm-ci-of-pxe-harness.log"
    if ! npm ci --no-audit --no-fund --loglevel=error 2>"$npm_log"; then
        say "npm ci refused the lock file ($(grep -m1 -o 'Missing: [^ ]*' "$npm_log" || echo "see $npm_log")); installing the locked versions with npm install --no-save"
        npm install --no-save --no-audit --no-fund --loglevel=error
    fi
fi

# GRUB's arm64 EFI modules for the netboot of aarch64 guests: Debian builds grub-efi-arm64-bin for
# arm64 only, so it is unpacked from the machine's own apt sources into the harness's cache.
if [ "$(dpkg --print-architecture)" != arm64 ]; then
    bash scripts/fetch-grub-efi.sh arm64 >/dev/null || say "GRUB's arm64 EFI modules could not be fetched: aarch64 boots will say so"
fi

say "building (tsc)"
npx --no-install tsc -p tsconfig.json

if [ "$fixture" = yes ]; then
    say "fixture ISO (BIOS, MBR hybrid): $(bash images/build-fixture.sh --firmware bios)"
    say "fixture ISO (EFI hybrid): $(bash images/build-fixture.sh --firmware efi)"
    say "fixture ISO (dmsquash, EFI hybrid): $(bash images/build-fixture.sh --firmware efi --module dmsquash)"
    say "fixture ISO (aarch64, EFI hybrid): $(bash images/build-fixture.sh --arch aarch64)"
fi
