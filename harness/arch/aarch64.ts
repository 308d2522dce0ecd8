import type { Architecture } from './architecture.js';

/**
 * 64-bit Arm (aarch64): QEMU's `virt` machine under AAVMF (UEFI only), the console on the PL011
 * UART. KIWI's loader folder is /boot/aarch64/loader.
 */
export const aarch64: Architecture<'aarch64'> = {
  id: 'aarch64',
  description: '64-bit Arm (aarch64)',
  qemuBinary: 'qemu-system-aarch64',
  loaderLocations: { kernel: '/boot/aarch64/loader/linux', initrd: '/boot/aarch64/loader/initrd' },
  // IMAGE_FILE_MACHINE_ARM64; the arm64 Image header's magic "ARM\x64" at 0x38 (Documentation/arch/arm64/booting.rst).
  kernelImage: { peMachine: 0xaa64, magic: { offset: 0x38, text: 'ARM\x64' } },
  // max: every feature QEMU emulates (the default virt CPU is a 32-bit cortex-a15). pauth-impdef:
  // QEMU 7.2 emulates the architected pointer authentication (QARMA), which costs a TCG guest most
  // of its time; the IMPDEF algorithm is cheap and the guest cannot tell (QEMU 9.2 made it the default).
  qemuCpu: 'max,pauth-impdef=on',
  // virt has no VGA: a virtio GPU, which AAVMF drives (its screen is the screenshots' source).
  qemuDisplay: ['-device', 'virtio-gpu-pci'],
  // virt has no IDE: the seed's -hda goes on an AHCI (SATA) controller, still sda through libata.
  // Measured: on virtio SCSI instead, kiwi-live's second persistent boot found /dev/disk/by-label/CDROM
  // naming the whole disk, not its first partition, and could not mount it beside the cow (2 of 2 runs).
  // AAVMF has no AHCI driver, so a deployed disk does not boot here (firmware/aavmf.ts says so as a SKIP).
  ideDisks: 'ahci',
  serialConsole: 'ttyAMA0',
  defaultFirmware: 'uefi',
  kvmHost: 'arm64',
  grubEfiPlatform: 'arm64-efi',
  // Measured: its RAM deploy reached login: 1.34 and 1.64 times as late as x86_64's (docs/benchmarks.md,
  // "Time to login: per architecture under TCG"); 2 leaves a margin.
  tcgSlowdown: 2,
};
