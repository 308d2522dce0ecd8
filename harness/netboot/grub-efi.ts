import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireHostFile, requireTool } from '../util/host-tools.js';
import { BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';
import { GRUB_EFI_DIR, GRUB_FAIL_SIGNATURES, GRUB_MODULES, GRUB_PHASES, renderGrubConfig } from './grub-config.js';
import { startBootFileServer } from './boot-file-server.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/** grub-mknetdir: the EFI netboot image (boot/grub/x86_64-efi/core.efi) and its modules in the TFTP root. */
async function writeGrubNetdir(dir: string): Promise<string> {
  await requireHostFile(join(GRUB_EFI_DIR, 'kernel.img'), 'grub-efi-amd64-bin');
  const mknetdir = await requireTool('grub-mknetdir');
  await mkdir(dir, { recursive: true });
  await execa(mknetdir, [
    `--net-directory=${dir}`, '--subdir=boot/grub', '-d', GRUB_EFI_DIR,
    `--install-modules=${GRUB_MODULES.join(' ')}`, `--modules=${GRUB_MODULES.join(' ')}`,
    '--fonts=', '--locales=', '--themes=', '--compress=no',
  ]);
  return 'boot/grub/x86_64-efi/core.efi';
}

async function prepareGrub(context: NetbootContext, overHttp: boolean): Promise<PreparedNetboot> {
  const dir = join(context.runtimeDir, 'tftp');
  const bootfile = await writeGrubNetdir(dir);
  let source = '';
  const prepared: Pick<PreparedNetboot, 'forwards' | 'bootFiles'> = { forwards: [] };
  if (overHttp) {
    const server = await startBootFileServer(context);
    prepared.bootFiles = server.bootFiles;
    prepared.forwards = server.forwards;
    source = `(http,${server.host}:${server.port})`;
  } else {
    await mkdir(join(dir, 'boot'), { recursive: true });
    await Promise.all([place(context.loaderFiles.kernelPath, join(dir, BOOT_FILES.kernel)), place(context.loaderFiles.initrdPath, join(dir, BOOT_FILES.initrd))]);
  }
  const configPath = join(dir, 'boot', 'grub', 'grub.cfg');
  await writeFile(configPath, renderGrubConfig(source, context.kernelArgs));
  const served = overHttp ? { 'boot-program': bootfile } : { 'boot-program': bootfile, kernel: BOOT_FILES.kernel, initrd: BOOT_FILES.initrd };
  const withhold = withholdFromTftpRoot(dir, served);
  return { tftpRoot: dir, bootfile, ...prepared, entry: { path: configPath, artifactName: 'grub.cfg' }, bootFilePaths: BOOT_FILE_PATHS, withhold };
}

const grubBase = {
  family: 'pxe',
  firmware: 'uefi',
  hostFiles: [{ path: join(GRUB_EFI_DIR, 'kernel.img'), pkg: 'grub-efi-amd64-bin' }],
  phases: GRUB_PHASES,
  failSignatures: GRUB_FAIL_SIGNATURES,
} as const;

/** GRUB for EFI from Debian, over slirp's TFTP: kernel and initrd from the TFTP root (the default under UEFI). */
export const grubEfiTftp: NetbootLoader = {
  ...grubBase,
  id: 'grub-efi',
  description: 'GRUB (EFI), kernel and initrd over TFTP',
  transport: 'tftp',
  prepare: (context) => prepareGrub(context, false),
};

/** GRUB for EFI, kernel and initrd over HTTP from a boot-file server of the harness. */
export const grubEfiHttp: NetbootLoader = {
  ...grubBase,
  id: 'grub-efi-http',
  description: 'GRUB (EFI), kernel and initrd over HTTP from the harness',
  transport: 'http',
  prepare: (context) => prepareGrub(context, true),
};
