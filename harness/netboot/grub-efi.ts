import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { requireHostFile, requireTool } from '../util/host-tools.js';
import { assertKernelArgs, BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';
import { startBootFileServer } from './boot-file-server.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/** Debian's GRUB modules for x86_64 EFI (package grub-efi-amd64-bin). */
export const GRUB_EFI_DIR = '/usr/lib/grub/x86_64-efi';
/** What the netboot image needs: the EFI network stack, TFTP and HTTP, the Linux loader, the serial console. */
const MODULES = ['efinet', 'net', 'tftp', 'http', 'linux', 'normal', 'echo', 'efi_gop', 'configfile'];
const MARK = 'pxe-harness: GRUB loads';

const GRUB_PHASES: readonly PhaseDefinition[] = [{ id: 'grub', marker: new RegExp(`${MARK}|Welcome to GRUB`), label: 'GRUB (EFI)' }];
const GRUB_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    // GRUB's own errors that end the entry (not its harmless "no suitable video mode found").
    id: 'grub-error',
    pattern: /^error: (?:file `[^']*' not found|File not found|you need to load the kernel first|couldn't send network packet|time ?out (?:reading|opening)|no server is specified|unknown command)/,
    meaning: 'GRUB could not load what the boot entry names',
    // GRUB's TFTP error names no file; the harness's own echo on the line before does.
    quotePreviousLine: true,
  },
];

/** GRUB script quoting: a word with anything but plain characters goes into single quotes. */
const grubWord = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** The boot entry: kernel and initrd from `source`, the seed's kernel options, on the serial console. */
export function renderGrubConfig(source: string, kernelArgs: readonly string[]): string {
  assertKernelArgs(kernelArgs);
  return [
    // The EFI console: OVMF shows it on the serial port and on the screen (GRUB's own serial
    // terminal beside it would print every line twice on the serial port).
    'terminal_output console',
    'set timeout=0',
    'set default=0',
    "menuentry 'Live-Boot' {",
    `    echo '${MARK} ${BOOT_FILES.kernel}'`,
    `    linux ${source}${BOOT_FILE_PATHS.kernel} ${kernelArgs.map(grubWord).join(' ')}`,
    `    echo '${MARK} ${BOOT_FILES.initrd}'`,
    `    initrd ${source}${BOOT_FILE_PATHS.initrd}`,
    '}',
    '',
  ].join('\n');
}

/** grub-mknetdir: the EFI netboot image (boot/grub/x86_64-efi/core.efi) and its modules in the TFTP root. */
async function writeGrubNetdir(dir: string): Promise<string> {
  await requireHostFile(join(GRUB_EFI_DIR, 'kernel.img'), 'grub-efi-amd64-bin');
  const mknetdir = await requireTool('grub-mknetdir');
  await mkdir(dir, { recursive: true });
  await execa(mknetdir, [
    `--net-directory=${dir}`, '--subdir=boot/grub', '-d', GRUB_EFI_DIR,
    `--install-modules=${MODULES.join(' ')}`, `--modules=${MODULES.join(' ')}`,
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
