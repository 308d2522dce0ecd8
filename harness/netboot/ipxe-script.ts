import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { assertKernelArgs, BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';
import { startBootFileServer } from './boot-file-server.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/*
 * iPXE as most data-centre netboot runs it: the NIC's own iPXE (the option ROM QEMU gives its NIC,
 * Debian's ipxe-qemu, under SeaBIOS and OVMF alike) takes the DHCP boot file, an iPXE script, over
 * TFTP and runs it; the script loads kernel and initrd over HTTP from the harness's boot-file
 * server. iPXE prints on the serial console under OVMF; under SeaBIOS only on the screen, so there
 * the boot-file server's log is the loader's evidence until the kernel prints.
 */

const SCRIPT = 'boot.ipxe';
const MARK = 'pxe-harness: iPXE loads';
/** The name the script gives the initrd: an EFI kernel finds it by `initrd=NAME` on its command line. */
const INITRD_NAME = 'initrd';

const IPXE_PHASES: readonly PhaseDefinition[] = [{ id: 'ipxe-script', marker: new RegExp(`${MARK}|${SCRIPT} : \\d+ bytes \\[script\\]`), label: 'iPXE script' }];
const IPXE_SCRIPT_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    // iPXE ends every error with a link that names it; "Could not boot" ends the script.
    id: 'ipxe-script-failed',
    pattern: /Could not (?:boot|select|start) image|^(?:http|tftp):\/\/\S+\.\.\. (?!ok)\S.*\(https?:\/\/ipxe\.org\/[0-9a-f]+\)/,
    meaning: 'the iPXE script could not load or start what it names',
    quotePreviousLine: true,
  },
];

/** The script: kernel and initrd from `source` (an http:// base), the seed's kernel options. */
export function renderIpxeScript(source: string, kernelArgs: readonly string[]): string {
  assertKernelArgs(kernelArgs);
  return [
    '#!ipxe',
    `echo ${MARK} ${BOOT_FILES.kernel}`,
    `kernel ${source}${BOOT_FILE_PATHS.kernel} initrd=${INITRD_NAME} ${kernelArgs.join(' ')}`,
    `echo ${MARK} ${BOOT_FILES.initrd}`,
    `initrd --name ${INITRD_NAME} ${source}${BOOT_FILE_PATHS.initrd}`,
    'boot',
    '',
  ].join('\n');
}

async function prepareIpxe(context: NetbootContext): Promise<PreparedNetboot> {
  const server = await startBootFileServer(context);
  const dir = join(context.runtimeDir, 'tftp');
  await mkdir(dir, { recursive: true });
  const path = join(dir, SCRIPT);
  await writeFile(path, renderIpxeScript(`http://${server.host}:${server.port}`, context.kernelArgs));
  const withhold = withholdFromTftpRoot(dir, { 'boot-program': SCRIPT });
  return { tftpRoot: dir, bootfile: SCRIPT, forwards: server.forwards, entry: { path, artifactName: SCRIPT }, bootFiles: server.bootFiles, bootFilePaths: BOOT_FILE_PATHS, withhold };
}

const ipxeBase = {
  family: 'ipxe',
  transport: 'http',
  // Debian's iPXE ROMs are PC ROMs.
  architectures: ['x86_64'],
  // The NIC's option ROM QEMU loads (the loader itself): its version is the loader's.
  hostFiles: [{ path: '/usr/lib/ipxe/qemu/efi-virtio.rom', pkg: 'ipxe-qemu' }],
  phases: IPXE_PHASES,
  failSignatures: IPXE_SCRIPT_FAIL_SIGNATURES,
  prepare: prepareIpxe,
} as const;

/** iPXE under SeaBIOS: the NIC's ROM runs the script. */
export const ipxeBios: NetbootLoader = { ...ipxeBase, id: 'ipxe-bios', description: "an iPXE script run by the NIC's iPXE (SeaBIOS), kernel and initrd over HTTP", firmware: 'bios' };

/** iPXE under OVMF: the NIC's EFI ROM runs the script; the kernel's EFI stub finds the initrd by name. */
export const ipxeUefi: NetbootLoader = { ...ipxeBase, id: 'ipxe-uefi', description: "an iPXE script run by the NIC's iPXE (OVMF), kernel and initrd over HTTP", firmware: 'uefi' };
