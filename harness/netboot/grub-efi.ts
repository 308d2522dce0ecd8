import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';
import { GRUB_FAIL_SIGNATURES, GRUB_MODULES, GRUB_PHASES } from './grub-config.js';
import { requireGrubEfiModules } from './grub-efi-modules.js';
import { prepareGrubRoot } from './grub-root.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';

/** grub-mknetdir: the EFI netboot image (boot/grub/PLATFORM/core.efi, e.g. x86_64-efi) and its modules in the TFTP root. */
async function writeGrubNetdir(dir: string, platform: string): Promise<{ bootfile: string; modulesPackage: { name: string; version: string } }> {
  const { dir: modules, package: modulesPackage } = await requireGrubEfiModules(platform);
  const mknetdir = await requireTool('grub-mknetdir');
  await mkdir(dir, { recursive: true });
  await execa(mknetdir, [
    `--net-directory=${dir}`, '--subdir=boot/grub', '-d', modules,
    `--install-modules=${GRUB_MODULES.join(' ')}`, `--modules=${GRUB_MODULES.join(' ')}`,
    '--fonts=', '--locales=', '--themes=', '--compress=no',
  ]);
  return { bootfile: `boot/grub/${platform}/core.efi`, modulesPackage };
}

async function prepareGrub(context: NetbootContext, overHttp: boolean): Promise<PreparedNetboot> {
  const dir = join(context.runtimeDir, 'tftp');
  const { bootfile, modulesPackage } = await writeGrubNetdir(dir, context.arch.grubEfiPlatform);
  const prepared = await prepareGrubRoot(context, { dir, bootfile, configPaths: ['boot/grub/grub.cfg'], programs: { 'boot-program': bootfile } }, overHttp);
  // The firmware's own PXE (OVMF's virtio-net driver and PXE base code), as a UEFI machine boots
  // from the network and as under Secure Boot, not the NIC's iPXE ROM, which waits 2 s at its
  // Ctrl-B banner and about 3 s for ProxyDHCP offers slirp never sends: measured, GRUB starts
  // 1.4 s sooner (docs/benchmarks.md, "UEFI PXE: OVMF's own against the NIC's iPXE ROM").
  // iPXE under UEFI stays a path of its own (--netboot ipxe).
  // The modules' package is the boot's own (grub-efi-amd64-bin or the fetched arm64 one), not a static host file.
  return { ...prepared, machine: { ...prepared.machine, nicOptionRom: false }, usedFiles: [modulesPackage] };
}

const grubBase = {
  family: 'pxe',
  firmware: 'uefi',
  // GRUB's EFI netboot image for the architecture's platform (architecture.grubEfiPlatform).
  architectures: ['x86_64', 'aarch64'],
  // grub-mknetdir for every platform; the platform's modules are found per boot (grub-efi-modules.ts).
  hostFiles: [{ path: '/usr/bin/grub-mknetdir', pkg: 'grub-common' }],
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
