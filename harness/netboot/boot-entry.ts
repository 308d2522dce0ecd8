/**
 * What every netboot loader's boot entry has in common, whatever its config language: where kernel
 * and initrd are (the seed's layout) and the rule for kernel options. Loader-neutral: every loader
 * file may import it, and none imports another loader.
 */

import type { BootFilePaths } from './netboot-loader.js';

/** Kernel and initrd, relative to the root that serves them (the TFTP root or the boot-file server). */
export const BOOT_FILES = { kernel: 'boot/linux', initrd: 'boot/initrd' } as const;

/** Kernel and initrd as paths from that root: what a boot-file server logs ('/boot/linux'). */
export const BOOT_FILE_PATHS: Readonly<BootFilePaths> = { kernel: `/${BOOT_FILES.kernel}`, initrd: `/${BOOT_FILES.initrd}` };

/** Kernel options go into a boot entry word by word: a space would split one into two. */
export function assertKernelArgs(args: readonly string[]): void {
  for (const arg of args) {
    if (/\s/.test(arg) || arg === '') throw new RangeError(`kernel argument must be one word without spaces, got ${JSON.stringify(arg)}`);
  }
}
