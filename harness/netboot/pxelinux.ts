import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { requireHostFile } from '../util/host-tools.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';
import { renderPxelinuxConfig } from './pxelinux-config.js';

/** Debian's pxelinux and its BIOS core module (packages pxelinux, syslinux-common). */
export const PXELINUX_PATH = '/usr/lib/PXELINUX/pxelinux.0';
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
 * pxelinux.cfg/default with one entry whose kernel and initrd are at `prefix`boot/linux and
 * `prefix`boot/initrd. The directory belongs to the boot's temp dir and goes with it.
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
  const config = renderPxelinuxConfig({ label: 'Live-Boot', kernel: `${prefix}boot/linux`, initrd: `${prefix}boot/initrd`, kernelArgs: [...kernelArgs] });
  const configPath = join(dir, 'pxelinux.cfg', 'default');
  await writeFile(configPath, config);
  return { bootfile: loader.bootfile, configPath };
}

/** The seed's form: pxelinux.0 over slirp's TFTP, with boot/linux and boot/initrd beside it. */
export const pxelinuxTftp: NetbootLoader = {
  id: 'pxelinux',
  description: 'pxelinux, kernel and initrd over TFTP (the seed)',
  firmware: 'bios',
  transport: 'tftp',
  hostFiles: [{ path: PXELINUX_PATH, pkg: 'pxelinux' }, { path: LDLINUX_PATH, pkg: 'syslinux-common' }],
  phases: PXELINUX_PHASES,
  failSignatures: PXELINUX_FAIL_SIGNATURES,
  async prepare(context: NetbootContext): Promise<PreparedNetboot> {
    const dir = join(context.runtimeDir, 'tftp');
    const root = await writePxelinuxRoot(dir, { path: PXELINUX_PATH, bootfile: 'pxelinux.0' }, context.kernelArgs);
    await mkdir(join(dir, 'boot'), { recursive: true });
    const { kernelPath, initrdPath } = context.loaderFiles;
    await Promise.all([place(kernelPath, join(dir, 'boot', 'linux')), place(initrdPath, join(dir, 'boot', 'initrd'))]);
    const tftpFiles = { bootProgram: root.bootfile, kernel: 'boot/linux', initrd: 'boot/initrd' };
    return { tftpRoot: dir, bootfile: root.bootfile, forwards: [], entry: { path: root.configPath, artifactName: 'pxelinux.cfg' }, tftpFiles };
  },
};
