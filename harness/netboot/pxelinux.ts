import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';
import { LDLINUX_PATH, PXELINUX_FAIL_SIGNATURES, PXELINUX_PHASES, writePxelinuxRoot } from './pxelinux-root.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/** Debian's pxelinux (package pxelinux). */
export const PXELINUX_PATH = '/usr/lib/PXELINUX/pxelinux.0';

/** The seed's form: pxelinux.0 over slirp's TFTP, with boot/linux and boot/initrd beside it. */
export const pxelinuxTftp: NetbootLoader = {
  id: 'pxelinux',
  description: 'pxelinux, kernel and initrd over TFTP (the seed)',
  family: 'pxe',
  firmware: 'bios',
  architectures: ['x86_64'],
  transport: 'tftp',
  hostFiles: [{ path: PXELINUX_PATH, pkg: 'pxelinux' }, { path: LDLINUX_PATH, pkg: 'syslinux-common' }],
  phases: PXELINUX_PHASES,
  failSignatures: PXELINUX_FAIL_SIGNATURES,
  async prepare(context: NetbootContext): Promise<PreparedNetboot> {
    const dir = join(context.runtimeDir, 'tftp');
    const root = await writePxelinuxRoot(dir, { path: PXELINUX_PATH, bootfile: 'pxelinux.0' }, context.kernelArgs);
    await mkdir(join(dir, 'boot'), { recursive: true });
    const { kernelPath, initrdPath } = context.loaderFiles;
    await Promise.all([place(kernelPath, join(dir, BOOT_FILES.kernel)), place(initrdPath, join(dir, BOOT_FILES.initrd))]);
    const withhold = withholdFromTftpRoot(dir, { 'boot-program': root.bootfile, kernel: BOOT_FILES.kernel, initrd: BOOT_FILES.initrd });
    return { tftpRoot: dir, bootfile: root.bootfile, forwards: [], entry: { path: root.configPath, artifactName: 'pxelinux.cfg' }, bootFilePaths: BOOT_FILE_PATHS, withhold };
  },
};
