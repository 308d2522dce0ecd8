import type { Architecture } from './architecture.js';

/** 64-bit PC: KIWI's loader folder is named after the architecture (/boot/x86_64/loader). */
export const x86_64: Architecture<'x86_64'> = {
  id: 'x86_64',
  description: '64-bit PC (x86_64)',
  qemuBinary: 'qemu-system-x86_64',
  loaderLocations: { kernel: '/boot/x86_64/loader/linux', initrd: '/boot/x86_64/loader/initrd' },
  // IMAGE_FILE_MACHINE_AMD64; the bzImage boot protocol's header magic at 0x202 (Documentation/arch/x86/boot.rst).
  kernelImage: { peMachine: 0x8664, magic: { offset: 0x202, text: 'HdrS' } },
  qemuDisplay: ['-vga', 'std'],
  ideDisks: 'ide',
  serialConsole: 'ttyS0',
  defaultFirmware: 'bios',
  kvmHost: 'x64',
  grubEfiPlatform: 'x86_64-efi',
  tcgSlowdown: 1,
};
