import { copyFile, link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireHostFile } from '../util/host-tools.js';
import type { LoaderFiles } from '../iso/loader-files.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';

/** Debian's pxelinux and its BIOS core module (packages pxelinux, syslinux-common). */
export const PXELINUX_PATH = '/usr/lib/PXELINUX/pxelinux.0';
/** pxelinux with an HTTP client (lwIP): loads kernel and initrd from http:// URLs. */
export const LPXELINUX_PATH = '/usr/lib/PXELINUX/lpxelinux.0';
export const LDLINUX_PATH = '/usr/lib/syslinux/modules/bios/ldlinux.c32';

export interface TftpRoot {
  dir: string;
  bootfile: string;
  configPath: string;
  config: string;
}

/** Hard-links when on the same file system (the initrd is tens of MB), copies otherwise. */
export async function place(src: string, dst: string): Promise<void> {
  await link(src, dst).catch(() => copyFile(src, dst));
}

/**
 * Lays out a TFTP root the way the seed's PXE server has it: pxelinux.0 and ldlinux.c32,
 * boot/linux and boot/initrd, and pxelinux.cfg/default with one boot entry. QEMU's built-in
 * TFTP server serves it; the directory belongs to the scenario's temp dir and goes with it.
 */
export async function createTftpRoot(
  dir: string,
  loader: LoaderFiles,
  kernelArgs: string[],
  options: { loaderBaseUrl?: string } = {},
): Promise<TftpRoot> {
  // With loaderBaseUrl, lpxelinux fetches kernel and initrd over HTTP from there instead of
  // through slirp's TFTP; the TFTP root then holds only the loader and its config.
  const overHttp = options.loaderBaseUrl !== undefined;
  const [pxelinux, ldlinux] = await Promise.all([
    overHttp ? requireHostFile(LPXELINUX_PATH, 'pxelinux') : requireHostFile(PXELINUX_PATH, 'pxelinux'),
    requireHostFile(LDLINUX_PATH, 'syslinux-common'),
  ]);
  const bootfile = overHttp ? 'lpxelinux.0' : 'pxelinux.0';
  await mkdir(join(dir, 'pxelinux.cfg'), { recursive: true });
  await copyFile(pxelinux, join(dir, bootfile));
  await copyFile(ldlinux, join(dir, 'ldlinux.c32'));
  if (!overHttp) {
    await mkdir(join(dir, 'boot'), { recursive: true });
    await Promise.all([place(loader.kernelPath, join(dir, 'boot', 'linux')), place(loader.initrdPath, join(dir, 'boot', 'initrd'))]);
  }
  const prefix = overHttp ? `${options.loaderBaseUrl}/` : '';
  const config = renderPxelinuxConfig({ label: 'Live-Boot', kernel: `${prefix}boot/linux`, initrd: `${prefix}boot/initrd`, kernelArgs });
  const configPath = join(dir, 'pxelinux.cfg', 'default');
  await writeFile(configPath, config);
  return { dir, bootfile, configPath, config };
}
