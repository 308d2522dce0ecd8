import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { assertKernelArgs, BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';

/** What every GRUB-for-EFI loader shares, whichever way GRUB itself arrives (TFTP, HTTP boot): loader-neutral. */

/** Debian's GRUB modules for x86_64 EFI (package grub-efi-amd64-bin). */
export const GRUB_EFI_DIR = '/usr/lib/grub/x86_64-efi';
/** What the netboot image needs: the EFI network stack, TFTP and HTTP, the Linux loader, the serial console. */
export const GRUB_MODULES = ['efinet', 'net', 'tftp', 'http', 'linux', 'normal', 'echo', 'efi_gop', 'configfile'];
const MARK = 'pxe-harness: GRUB loads';

export const GRUB_PHASES: readonly PhaseDefinition[] = [{ id: 'grub', marker: new RegExp(`${MARK}|Welcome to GRUB`), label: 'GRUB (EFI)' }];
export const GRUB_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    // GRUB's own errors that end the entry (not its harmless "no suitable video mode found").
    id: 'grub-error',
    pattern: /^error: (?:file `[^']*' not found|File not found|disk `[^']*' not found|you need to load the kernel first|couldn't send network packet|time ?out (?:reading|opening)|no server is specified|unknown command)/,
    meaning: 'GRUB could not load what the boot entry names',
    // GRUB's TFTP error names no file; the harness's own echo on the line before does.
    quotePreviousLine: true,
  },
  {
    // A GRUB started over the network that cannot map the device it came from finds no config and
    // waits at its prompt for good (measured: Debian's GRUB made for a medium, behind shim over PXE).
    id: 'grub-no-boot-device',
    pattern: /^error: unable to find boot device/,
    meaning: 'GRUB could not tell where it was loaded from, so it found no boot entry (a GRUB built for a medium, not for netboot)',
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

