import { inputError } from '../errors.js';
import type { Architecture } from './architecture.js';

/**
 * Which registered architecture an ISO is for, and whether its kernel agrees: read from the ISO,
 * not assumed. KIWI names the loader folder after the architecture (`/boot/<arch>/loader`), and a
 * kernel image says in its header what it runs on.
 */

/** An architecture's loader folder in the ISO, below /boot: `x86_64` of /boot/x86_64/loader/linux. */
export const loaderFolderOf = (arch: Architecture): string => arch.loaderLocations.kernel.split('/').filter(Boolean)[1] ?? '';

/**
 * The architecture of an ISO whose /boot holds `bootFolders`: the one whose loader folder is there,
 * or `asked` (--arch), which must agree with what the ISO holds. An ISO with no loader folder of a
 * registered architecture gets `fallback` (extracting its kernel then names the missing file); one
 * with several needs --arch.
 */
export function architectureOfIso(registered: readonly Architecture[], bootFolders: readonly string[], asked: Architecture | undefined, fallback: Architecture): Architecture {
  const found = registered.filter((a) => bootFolders.includes(loaderFolderOf(a)));
  const held = `its /boot holds ${bootFolders.length ? bootFolders.join(', ') : 'nothing'}`;
  if (asked) {
    if (found.length && !found.includes(asked)) {
      throw inputError(`--arch ${asked.id} disagrees with the ISO: ${held}, the loader folder of ${found.map((a) => a.id).join(' and ')}`, `--arch ${asked.id}`, `pass --arch ${found[0]!.id}, or leave --arch out: the ISO says`);
    }
    return asked;
  }
  if (found.length > 1) {
    throw inputError(`the ISO carries kernels of several architectures (${found.map((a) => a.id).join(', ')})`, '--arch', `pass --arch ${found.map((a) => a.id).join(' or --arch ')}`);
  }
  return found[0] ?? fallback;
}

/** The PE/COFF machine type of an EFI-stub kernel's header ("MZ", then "PE\0\0" at e_lfanew), if it has one. */
export function peMachineOf(header: Buffer): number | undefined {
  if (header.length < 0x40 || header.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = header.readUInt32LE(0x3c);
  if (pe + 6 > header.length || header.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  return header.readUInt16LE(pe + 4);
}

/**
 * Refuses a kernel built for another architecture than the run's: its PE machine, or else its boot
 * protocol's magic, must be the architecture's. A header that says neither is let through (the
 * boot will tell); `others` name what it is when it is one of theirs.
 */
export function checkKernelArchitecture(header: Buffer, arch: Architecture, others: readonly Architecture[], kernelInIso: string, isoPath: string): void {
  const machine = peMachineOf(header);
  const hasMagic = (a: Architecture) => header.toString('latin1', a.kernelImage.magic.offset, a.kernelImage.magic.offset + a.kernelImage.magic.text.length) === a.kernelImage.magic.text;
  const ours = machine !== undefined ? machine === arch.kernelImage.peMachine : hasMagic(arch);
  if (ours) return;
  const other = others.find((a) => (machine !== undefined ? machine === a.kernelImage.peMachine : hasMagic(a)));
  if (machine === undefined && !other) return;
  const what = other ? `a kernel for ${other.id}` : `a PE image for machine 0x${machine!.toString(16)}`;
  throw inputError(`ISO ${isoPath}: ${kernelInIso} is ${what}, not for ${arch.id}`, isoPath, other ? `pass --arch ${other.id}, or an ISO built for ${arch.id}` : `pass a KIWI live ISO built for ${arch.id}`);
}
