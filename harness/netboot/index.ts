import { grubEfiHttp, grubEfiTftp } from './grub-efi.js';
import { grubEfiHttpBoot } from './grub-efi-httpboot.js';
import { ipxeBios, ipxeUefi } from './ipxe-script.js';
import { lpxelinuxHttp } from './lpxelinux-http.js';
import type { LoaderTransport, NetbootLoader } from './netboot-loader.js';
import { pxelinuxTftp } from './pxelinux.js';
import { shimGrubTftp } from './shim-grub.js';
import { inputError } from '../errors.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';

/**
 * The netboot paths a run can take (--netboot): each is one loader per firmware (and transport).
 * The first is the default: the seed's PXE setup.
 */
export const NETBOOT_FAMILIES = {
  pxe: "the firmware's PXE with pxelinux (BIOS) or GRUB (UEFI), as the seed sets it up",
  ipxe: "an iPXE script run by the NIC's own iPXE, kernel and initrd over HTTP",
  'http-boot': "UEFI HTTP boot: OVMF's own HTTP client fetches GRUB, GRUB its config, kernel and initrd, all over HTTP (no TFTP)",
} as const;
export type NetbootFamily = keyof typeof NETBOOT_FAMILIES;
export const DEFAULT_NETBOOT: NetbootFamily = 'pxe';

/** Every netboot loader: one entry each, for one firmware and one transport of kernel and initrd. */
export const NETBOOT_LOADERS: readonly NetbootLoader[] = [pxelinuxTftp, lpxelinuxHttp, grubEfiTftp, grubEfiHttp, ipxeBios, ipxeUefi, grubEfiHttpBoot, shimGrubTftp];

/** The --netboot family by its name; an unknown one is bad input naming the known ones. */
export function netbootFamilyById(id: string): NetbootFamily {
  if (Object.hasOwn(NETBOOT_FAMILIES, id)) return id as NetbootFamily;
  throw inputError(`unknown netboot path ${JSON.stringify(id)}`, `--netboot ${id}`, `choose one of: ${Object.keys(NETBOOT_FAMILIES).join(', ')}`);
}

/** Why the netboot path cannot boot this ISO under this firmware (no loader for it, or the loader needs what the ISO lacks), if it cannot. */
export function netbootPathUnsupported(firmware: string, family: string, iso: IsoBootFacts, transports: readonly LoaderTransport[] = [], arch = 'x86_64'): string | undefined {
  const loaders = NETBOOT_LOADERS.filter((l) => l.firmware === firmware && l.family === family && l.architectures.includes(arch));
  if (loaders.length) return loaders.map((l) => l.isoUnsupported?.(iso)).find(Boolean) ?? transportUnsupported(loaders, transports);
  const ofFamily = NETBOOT_LOADERS.filter((l) => l.family === family);
  if (ofFamily.some((l) => l.firmware === firmware)) {
    const archs = [...new Set(ofFamily.filter((l) => l.firmware === firmware).flatMap((l) => l.architectures))];
    return `its network boots take the ${family} path (--netboot ${family}), whose loaders under ${firmware} boot ${archs.join(', ')} only, and the ISO is for ${arch}`;
  }
  const firmwares = [...new Set(ofFamily.map((l) => l.firmware))];
  return `its network boots take the ${family} path (--netboot ${family}), which boots under ${firmwares.join(', ') || 'no firmware'} only, not under ${firmware}`;
}

/**
 * On the default path a boot's transport picks its loader (other paths have one transport of their
 * own): a transport none of the path's loaders has for this firmware cannot boot.
 */
function transportUnsupported(loaders: readonly NetbootLoader[], transports: readonly LoaderTransport[]): string | undefined {
  if (loaders[0]!.family !== DEFAULT_NETBOOT) return undefined;
  const missing = transports.find((t) => !loaders.some((l) => l.transport === t));
  if (!missing) return undefined;
  const { firmware, family } = loaders[0]!;
  const limits = loaders.map((l) => l.limits && `${l.id}: ${l.limits}`).filter(Boolean);
  return `its network boots load kernel and initrd over ${missing}, which the ${family} path under ${firmware} cannot${limits.length ? ` (${limits.join('; ')})` : ''}`;
}

/**
 * The loader of a boot: of the run's netboot family for its firmware, by the boot's transport of
 * kernel and initrd where the family has one for it, else the family's own (iPXE loads over HTTP).
 */
export function netbootLoaderFor(firmware: string, transport: LoaderTransport, family: string = DEFAULT_NETBOOT, arch = 'x86_64'): NetbootLoader {
  const ofFamily = NETBOOT_LOADERS.filter((l) => l.firmware === firmware && l.family === family && l.architectures.includes(arch));
  const loader = ofFamily.find((l) => l.transport === transport) ?? (family === DEFAULT_NETBOOT ? undefined : ofFamily[0]);
  if (!loader) throw new RangeError(`no netboot loader loads kernel and initrd over ${transport} under ${firmware} firmware${family === DEFAULT_NETBOOT ? '' : ` on the ${family} path`}`);
  return loader;
}

export type { BootFilePaths, LoaderTransport, NetbootFile, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
