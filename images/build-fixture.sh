#!/usr/bin/env bash
# Builds the fixture live ISO with KIWI NG 11 inside a Debian sid build root and prints its path.
#
#   images/build-fixture.sh [--firmware bios|efi] [--module kiwi-live|dmsquash]          build if needed, print the ISO path (last line)
#   images/build-fixture.sh [--firmware bios|efi] [--module kiwi-live|dmsquash] --path   print where the ISO is (or would be), build nothing
#   images/build-fixture.sh --reference [--path]   the same for the reference ISO (images/reference)
#   images/build-fixture.sh --arch aarch64 [--module ...] [--path]   the same description for arm64 (EFI only)
#
# --firmware bios (default): an MBR hybrid ISO, on which kiwi-live's persistent deploy works.
# --firmware efi: the same description as an EFI hybrid (GPT, EFI boot partition) with a signed
# chain (shim, signed GRUB; KIWI's firmware="uefi"): what most users build, the one that boots
# from a deployed disk under UEFI, and with Secure Boot on.
# --module kiwi-live (default): flags="overlay", KIWI's own kiwi-live dracut module.
# --module dmsquash: flags="dmsquash", dracut's dmsquash-live + livenet (Debian's dracut-live),
# the root tree in an ext4 image inside the squashfs (KIWI's default, which the device-mapper
# overlay needs), and the ISO tagged by implantisomd5 for rd.live.check (checkisomd5).
# --arch aarch64: the same description built for arm64 by KIWI inside an arm64 sid build root,
# every program of which runs under qemu-user-static (binfmt): slow, but the build is KIWI's own
# native one, with no cross-architecture path of KIWI's (its apt ignores --target-arch, kiwi#2953).
# The ISO is an EFI hybrid (arm64 has no BIOS): GRUB for arm64 EFI, the console on ttyAMA0.
# --reference: not a fixture but the yardstick of the benchmark: a default KIWI live ISO, untrimmed
# (images/reference/config.xml says what it is); the lean fixture's boot time is measured against it.
#
# Why a sid build root: only KIWI >= 10.2.24 ships the remote root=live:ftp|http|https boot in its
# kiwi-live dracut module, and Debian 12 has 9.24 (see ../shared/notes/environment.md).
# The ISO is cached outside the repo, keyed by the content of images/ (description, this script,
# the runtime config), so it is rebuilt only when the description changes. Needs root (debootstrap,
# chroot, bind mounts). Progress goes to stderr, the path to stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${PXE_HARNESS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pxe-harness}
step() { printf '[fixture %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'build-fixture: %s\n' "$*" >&2; exit 2; }

# The cache key: every file of the description, this script and the runtime config, by path and content.
firmware=
arch=x86_64
module=kiwi-live
description=fixture
path_only=no
while [ $# -gt 0 ]; do
    case "$1" in
        --firmware) firmware=${2:-}; shift 2 ;;
        --module) module=${2:-}; shift 2 ;;
        --arch) arch=${2:-}; shift 2 ;;
        --path) path_only=yes; shift ;;
        --reference) description=reference; shift ;;
        *) die "unknown argument '$1' (use --firmware bios|efi, --module kiwi-live|dmsquash, --arch x86_64|aarch64, --reference, --path)" ;;
    esac
done
case "$arch" in
    x86_64) debian_arch=amd64; firmware=${firmware:-bios} ;;
    aarch64) debian_arch=arm64; firmware=${firmware:-efi}
             [ "$firmware" = efi ] || die "--arch aarch64 builds an EFI hybrid only (arm64 has no BIOS), got --firmware '$firmware'" ;;
    *) die "--arch must be x86_64 or aarch64, got '$arch'" ;;
esac
case "$firmware" in bios|efi) ;; *) die "--firmware must be bios or efi, got '$firmware'" ;; esac
case "$module" in kiwi-live|dmsquash) ;; *) die "--module must be kiwi-live or dmsquash, got '$module'" ;; esac

[ "$description" = fixture ] || [ "$firmware$module$arch" = "bioskiwi-livex86_64" ] ||
    die "--reference takes neither --firmware, --module nor --arch: images/reference/config.xml sets them"

key=$( { cd "$here" && find "$description" build-fixture.sh kiwi-runtime.yaml -type f -print0 | sort -z | xargs -0 sha256sum; echo "firmware=$firmware"; [ "$module" = kiwi-live ] || echo "module=$module"; [ "$arch" = x86_64 ] || echo "arch=$arch"; } |
      sha256sum | cut -c1-16)
variant=$firmware; [ "$module" = kiwi-live ] || variant="$module-$firmware"
[ "$arch" = x86_64 ] || variant="$arch-$variant"
out="$cache/fixture-$variant-$key"
iso="$out/pxe-fixture.iso"
if [ "$description" = reference ]; then out="$cache/reference-$key"; iso="$out/kiwi-default-live.iso"; fi

if [ "$path_only" = yes ]; then echo "$iso"; exit 0; fi
# A cache hit marks the build as used: the pruning below keeps the builds used last.
if [ -s "$iso" ]; then touch "$out"; step "cached: $iso"; echo "$iso"; exit 0; fi

[ "$(id -u)" = 0 ] || die "building the fixture needs root (debootstrap, chroot, bind mounts); run it as root or pass an ISO with --iso"
for tool in debootstrap chroot mount umount flock openssl; do
    command -v "$tool" >/dev/null || die "missing host tool '$tool': apt-get install debootstrap util-linux openssl"
done

# The Debian mirror of this machine, read from its apt sources: never written into the repo.
mirror=${PXE_HARNESS_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
    mirror=$( { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}';
                cat /etc/apt/sources.list 2>/dev/null | awk '$1=="deb" {for(i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) {print $i; break}}'; } |
              grep -v -- '-security' | grep -E '/debian/?$' | head -n1 ) || true
fi
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list{,.d}; set PXE_HARNESS_DEBIAN_MIRROR=URL"
mirror=${mirror%/}

mkdir -p "$cache"
exec 9>"$cache/build.lock"
step "waiting for the build lock $cache/build.lock"
flock 9
if [ -s "$iso" ]; then step "built meanwhile by another process: $iso"; echo "$iso"; exit 0; fi

# The build root is reused across builds: it depends only on this list, not on the description.
buildroot_packages="kiwi kiwi-systemdeps-core kiwi-systemdeps-iso-media kiwi-systemdeps-filesystems kiwi-systemdeps-bootloaders debootstrap ca-certificates"
root_key=$(echo "$buildroot_packages" | sha256sum | cut -c1-12)
root="$cache/buildroot-sid-$root_key"
[ "$arch" = x86_64 ] || root="$cache/buildroot-sid-$debian_arch-$root_key"

# An arm64 build root runs every program under qemu-user-static, which the kernel starts through a
# binfmt_misc entry. The F flag (interpreter opened when registered) makes it work inside chroots.
# In a container Debian's package registers nothing, so the entry is imported here when missing.
foreign_arch_ready() {
    local entry=/proc/sys/fs/binfmt_misc/qemu-$arch
    if [ ! -e "$entry" ]; then
        [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
        update-binfmts --import "qemu-$arch" >/dev/null 2>&1 || true
    fi
    [ -e "$entry" ] || die "no binfmt_misc entry for $arch ($entry): apt-get install qemu-user-static binfmt-support, then update-binfmts --import qemu-$arch"
    grep -q '^flags:.*F' "$entry" || die "the binfmt_misc entry $entry lacks the F flag, so chroots cannot start $arch programs: update-binfmts --import qemu-$arch"
}

mounted=()
cleanup() {
    local i
    for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { mkdir -p "$root$1"; mount --bind "$1" "$root$1"; mounted+=("$root$1"); }
# A KIWI that was killed leaves its image root mounted (/dev, /proc, /sys, its cache): unmount
# those first, deepest first, or rm -rf would reach through them into the host's /dev.
remove_build_dir() {
    local m
    for m in $(awk -v d="$root/build/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r); do
        umount -l "$m" || die "cannot unmount $m left by an earlier build; unmount it and run again"
    done
    rm -rf "$root/build"
}

if [ ! -e "$root/.complete" ]; then
    rm -rf "$root"
    if [ "$arch" = x86_64 ]; then
        step "debootstrap sid build root from $mirror (about a minute)"
        debootstrap --variant=minbase sid "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
            die "debootstrap failed, see $cache/debootstrap.log"
    else
        foreign_arch_ready
        step "debootstrap $debian_arch sid build root from $mirror (under qemu-user-static: its second stage about 3 minutes, then KIWI into it about 12, measured on 2 cores)"
        { debootstrap --arch="$debian_arch" --foreign --variant=minbase sid "$root" "$mirror" &&
          chroot "$root" /debootstrap/debootstrap --second-stage; } >"$cache/debootstrap-$debian_arch.log" 2>&1 ||
            die "debootstrap failed, see $cache/debootstrap-$debian_arch.log"
    fi
fi
bind /proc; bind /sys; bind /dev; bind /dev/pts
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
if [ ! -e "$root/.complete" ]; then
    step "installing KIWI into the build root"
    echo "deb [check-valid-until=no] $mirror sid main" >"$root/etc/apt/sources.list"
    chroot "$root" apt-get -o Acquire::Check-Valid-Until=false update >"$cache/buildroot-apt.log" 2>&1 ||
        die "apt-get update in the build root failed, see $cache/buildroot-apt.log"
    DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends \
        $buildroot_packages >>"$cache/buildroot-apt.log" 2>&1 ||
        die "installing KIWI failed, see $cache/buildroot-apt.log"
    touch "$root/.complete"
fi
step "KIWI $(chroot "$root" kiwi-ng --version 2>/dev/null | tail -n1)"

work="/build/$key"
remove_build_dir
mkdir -p "$root$work"
cp -a "$here/$description" "$root$work/description"
sed -i "s|@MIRROR@|$mirror|" "$root$work/description/config.xml"
if [ "$arch" = aarch64 ]; then
    # arm64: its kernel, GRUB for arm64 EFI (KIWI's firmware="efi": no shim), the PL011 console.
    sed -i 's|firmware="bios"|firmware="efi" efifatimagesize="8"|; s|console=ttyS0|console=ttyAMA0|;
            s|<package name="linux-image-amd64"/>|<package name="linux-image-arm64"/>|;
            s|<package name="grub-pc-bin"/>|<package name="grub-efi-arm64-bin"/>|' "$root$work/description/config.xml"
    grep -q '<package name="linux-image-arm64"/>' "$root$work/description/config.xml" || die "could not switch the description to arm64"
elif [ "$firmware" = efi ]; then
    # The EFI hybrid, with the signed chain most vendors ship: firmware="uefi" (KIWI's Secure Boot
    # setup) and Debian's Microsoft-signed shim and Debian-signed GRUB beside GRUB's EFI modules,
    # so that the same ISO boots with Secure Boot on and off. The embedded EFI FAT image holds
    # shim, MokManager, the signed GRUB and its config (about 6.1 MB); KIWI makes it 20 MB unless
    # told, and every RAM deploy fetches the whole ISO: 8 MB.
    sed -i 's|firmware="bios"|firmware="uefi" efifatimagesize="8"|; s|<package name="grub-pc-bin"/>|<package name="grub-pc-bin"/>\n        <package name="grub-efi-amd64-bin"/>\n        <package name="shim-signed"/>\n        <package name="grub-efi-amd64-signed"/>|' \
        "$root$work/description/config.xml"
    grep -q 'firmware="uefi"' "$root$work/description/config.xml" || die "could not switch the description to firmware=uefi"
    # KIWI reads the shim's SBAT with strings (binutils) on the build side, and stops with
    # "strings command not found on buildhost" without it; installed on demand like isomd5sum.
    if ! chroot "$root" sh -c 'command -v strings' >/dev/null; then
        step "installing binutils into the build root"
        chroot "$root" apt-get -o Acquire::Check-Valid-Until=false update >>"$cache/buildroot-apt.log" 2>&1 || true
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends binutils \
            >>"$cache/buildroot-apt.log" 2>&1 || die "installing binutils failed, see $cache/buildroot-apt.log"
    fi
fi
cp "$here/kiwi-runtime.yaml" "$root$work/kiwi-runtime.yaml"
# A test CA of this build, trusted by the image (config.sh runs update-ca-certificates before KIWI
# makes the initrd, whose url-lib copies the bundle), kept beside the ISO as tls-ca.crt/tls-ca.key:
# `run --tls-ca` issues the https publisher's certificate from it, so that a boot can verify TLS
# without any insecure option. Made per build, never committed: its key signs nothing but tests.
ca="$root$work/tls-ca"
if [ "$description" = fixture ]; then
    mkdir -p "$ca" "$root$work/description/root/usr/local/share/ca-certificates"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=pxe-harness fixture CA $key" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign -keyout "$ca/tls-ca.key" -out "$ca/tls-ca.crt" 2>/dev/null ||
        die "openssl could not make the fixture's test CA: apt-get install openssl"
    cp "$ca/tls-ca.crt" "$root$work/description/root/usr/local/share/ca-certificates/pxe-harness-fixture-ca.crt"
fi
if [ "$module" = dmsquash ]; then
    # dracut's dmsquash-live + livenet instead of kiwi-live; checkisomd5 and dmsetup in the initrd;
    # no hybrid persistence (a kiwi-live feature); the root tree in an ext4 image (KIWI's default),
    # without which dmsquash cannot use its device-mapper overlay; an implantisomd5 media tag.
    desc="$root$work/description/config.xml"
    sed -i 's|flags="overlay"|flags="dmsquash" mediacheck="true"|; s| filesystem="squashfs"| filesystem="ext4"|;
            s| hybridpersistent="true" hybridpersistent_filesystem="xfs"||;
            s|<package name="kiwi-dracut-live"/>|<package name="dracut-live"/>\n        <package name="isomd5sum"/>\n        <package name="dmsetup"/>|' "$desc"
    grep -q 'flags="dmsquash"' "$desc" && grep -q '<package name="dracut-live"/>' "$desc" && ! grep -q 'hybridpersistent="' "$desc" ||
        die "could not switch the description to flags=dmsquash"
    printf 'iso:\n  media_tag_tool: isomd5sum\n' >>"$root$work/kiwi-runtime.yaml"
    # implantisomd5 on the build side; installed on demand so that the build root stays shared.
    if ! chroot "$root" sh -c 'command -v implantisomd5' >/dev/null; then
        step "installing isomd5sum into the build root"
        DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y --no-install-recommends isomd5sum \
            >>"$cache/buildroot-apt.log" 2>&1 || die "installing isomd5sum failed, see $cache/buildroot-apt.log"
    fi
fi

# Each change of images/ makes a new key, and the ISOs of the old keys (100-450 MB each) would pile
# up. Other checkouts (a branch, a worktree) may still use them, so the three used last of this
# variant stay, with their logs; older ones go. Runs under the build lock.
prune_old_builds() {
    local old
    ls -dt "${out%-"$key"}"-* 2>/dev/null | tail -n +4 | while read -r old; do
        step "pruning an older build: $old"
        rm -rf "$old" "$cache/kiwi-${old##*-}.log" "$cache/kiwi-${old##*-}.full.log"
    done
}

expected="about 2-5 minutes"
[ "$arch" = x86_64 ] || expected="about 30 minutes under qemu-user-static, measured on 2 cores"
step "kiwi-ng system build, arch=$arch firmware=$firmware module=$module ($expected; log: $cache/kiwi-$key.log)"
if ! chroot "$root" kiwi-ng --config "$work/kiwi-runtime.yaml" --logfile "$work/kiwi.log" \
        system build --description "$work/description" --target-dir "$work/target" \
        >"$cache/kiwi-$key.log" 2>&1; then
    cp "$root$work/kiwi.log" "$cache/kiwi-$key.full.log" 2>/dev/null || true
    tail -n 20 "$cache/kiwi-$key.log" >&2
    die "kiwi-ng failed, see $cache/kiwi-$key.log and $cache/kiwi-$key.full.log"
fi

built=$(ls "$root$work"/target/*.iso | head -n1)
[ -s "$built" ] || die "kiwi-ng finished but left no ISO in $root$work/target"
mkdir -p "$out"
[ ! -d "$ca" ] || cp "$ca/tls-ca.crt" "$ca/tls-ca.key" "$out/"
mv "$built" "$iso.part" && mv "$iso.part" "$iso"
remove_build_dir
prune_old_builds
step "built $(du -h "$iso" | cut -f1) ISO: $iso"
echo "$iso"
