import type { FailSignature } from '../console/signatures.js';

/**
 * iPXE is the NIC's option ROM (Debian's ipxe-qemu: efi-virtio.rom holds its BIOS and EFI
 * drivers): SeaBIOS's PXE, and under OVMF the iPXE path (--netboot ipxe); the UEFI PXE paths
 * leave the ROM out and boot with OVMF's own PXE. Under OVMF it prints on the serial console;
 * under SeaBIOS only on the screen. Its errors end with a link to ipxe.org that names the error.
 */
export const IPXE_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    id: 'ipxe-failed',
    pattern: /(?:No such file or directory|Connection timed out|Permission denied|No configuration methods succeeded)(?: \(https?:\/\/ipxe\.org\/[0-9a-f]+\))|No more network devices/,
    meaning: 'the NIC\'s PXE firmware (iPXE) could not load the boot program',
  },
];
