import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { requireHostFile } from '../util/host-tools.js';
import { BOOT_FILES } from './boot-entry.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';

/** What the pxelinux family (pxelinux.0 over TFTP, lpxelinux.0 with HTTP) shares: its TFTP root and its console. */

/** syslinux's BIOS core module, which pxelinux.0 and lpxelinux.0 load (package syslinux-common). */
export const LDLINUX_PATH = '/usr/lib/syslinux/modules/bios/ldlinux.c32';

export const PXELINUX_PHASES: readonly PhaseDefinition[] = [{ id: 'pxelinux', marker: /PXELINUX \d|Loading boot\/linux/, label: 'pxelinux' }];

export const PXELINUX_FAIL_SIGNATURES: readonly FailSignature[] = [
  // pxelinux 6 says "Loading boot/linux... failed: No such file or directory" and then waits at its
  // boot: prompt for ever.
  {
    id: 'pxe-load-failed',
    pattern: /Failed to load (?:boot\/|ldlinux)|Could not find kernel image|Loading \S+\.\.\. failed: /,
    meaning: 'the PXE loader could not load what it needed',
  },
  {
    // syslinux's bail message (err_bootfailed in its core): the loader cannot go on (a kernel or
    // initrd whose load broke off, no config) and waits minutes for a key or a reset. The line
    // before it says what it was loading.
    id: 'pxe-boot-failed',
    pattern: /Boot failed: press a key to retry/,
    meaning: 'the PXE loader gave up',
    quotePreviousLine: true,
  },
];

/**
 * Writes a pxelinux TFTP root: the loader (pxelinux.0 or lpxelinux.0) and ldlinux.c32, and
 * pxelinux.cfg/default with one entry whose kernel and initrd are BOOT_FILES after `prefix`
 * (`prefix`boot/linux, `prefix`boot/initrd). The directory belongs to the boot's temp dir and
 * goes with it.
 */
export async function writePxelinuxRoot(
  dir: string,
  loader: { path: string; bootfile: string },
  kernelArgs: readonly string[],
  prefix = '',
): Promise<{ bootfile: string; configPath: string }> {
  const [loaderPath, ldlinux] = await Promise.all([requireHostFile(loader.path, 'pxelinux'), requireHostFile(LDLINUX_PATH, 'syslinux-common')]);
  await mkdir(join(dir, 'pxelinux.cfg'), { recursive: true });
  await copyFile(loaderPath, join(dir, loader.bootfile));
  await copyFile(ldlinux, join(dir, 'ldlinux.c32'));
  const config = renderPxelinuxConfig({ label: 'Live-Boot', kernel: `${prefix}${BOOT_FILES.kernel}`, initrd: `${prefix}${BOOT_FILES.initrd}`, kernelArgs: [...kernelArgs] });
  const configPath = join(dir, 'pxelinux.cfg', 'default');
  await writeFile(configPath, config);
  return { bootfile: loader.bootfile, configPath };
}
