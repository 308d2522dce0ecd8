import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireHostFile } from '../util/host-tools.js';
import type { LoaderFiles } from '../iso/loader-files.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';

/** Debian's pxelinux and its BIOS core module (packages pxelinux, syslinux-common). */
export const PXELINUX_PATH = '/usr/lib/PXELINUX/pxelinux.0';
export const LDLINUX_PATH = '/usr/lib/syslinux/modules/bios/ldlinux.c32';

export interface TftpRoot {
  dir: string;
  bootfile: string;
  configPath: string;
  config: string;
}

/** Hard-links when on the same file system (the initrd is tens of MB), copies otherwise. */
async function place(src: string, dst: string): Promise<void> {
  await link(src, dst).catch(() => copyFile(src, dst));
}

/**
 * Lays out a TFTP root the way the seed's PXE server has it: pxelinux.0 and ldlinux.c32,
 * boot/linux and boot/initrd, and pxelinux.cfg/default with one boot entry. QEMU's built-in
 * TFTP server serves it; the directory belongs to the scenario's temp dir and goes with it.
 */
export async function createTftpRoot(dir: string, loader: LoaderFiles, kernelArgs: string[]): Promise<TftpRoot> {
  const [pxelinux, ldlinux] = await Promise.all([
    requireHostFile(PXELINUX_PATH, 'pxelinux'),
    requireHostFile(LDLINUX_PATH, 'syslinux-common'),
  ]);
  await mkdir(join(dir, 'boot'), { recursive: true });
  await mkdir(join(dir, 'pxelinux.cfg'), { recursive: true });
  await Promise.all([
    copyFile(pxelinux, join(dir, 'pxelinux.0')),
    copyFile(ldlinux, join(dir, 'ldlinux.c32')),
    place(loader.kernelPath, join(dir, 'boot', 'linux')),
    place(loader.initrdPath, join(dir, 'boot', 'initrd')),
  ]);
  const config = renderPxelinuxConfig({ label: 'Live-Boot', kernel: 'boot/linux', initrd: 'boot/initrd', kernelArgs });
  const configPath = join(dir, 'pxelinux.cfg', 'default');
  await writeFile(configPath, config);
  return { dir, bootfile: 'pxelinux.0', configPath, config };
}
