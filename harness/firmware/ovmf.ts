import type { IsoBootFacts } from '../iso/boot-facts.js';
import type { Firmware } from './firmware.js';
import { IPXE_FAIL_SIGNATURES } from './ipxe.js';
import { ovmfPflashArgs } from './ovmf-pflash.js';

/** Debian's OVMF (package ovmf): the 4 MiB build without Secure Boot keys enrolled. */
export const OVMF_CODE_PATH = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS_PATH = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/** What OVMF prints when it has nothing it can boot (shared by every OVMF build). */
/** Why OVMF cannot boot a disk written from this ISO: the deploy's copy boots only from an EFI system partition. */
export function noEfiSystemPartition(iso: IsoBootFacts): string | undefined {
  return iso.efiSystemPartition ? undefined : `it boots a deployed disk under UEFI, and the ISO's partition table (${iso.partitionTable}) has no EFI system partition (a BIOS-only build)`;
}

export const OVMF_FAIL_SIGNATURES = [
  {
    id: 'uefi-pxe-failed',
    pattern: /PXE-E\d\d|BdsDxe: failed to load Boot\d+ "UEFI PXEv4|No bootable option or device was found/,
    meaning: 'the UEFI firmware could not load the network boot program',
  },
  ...IPXE_FAIL_SIGNATURES,
] as const;

/**
 * UEFI: OVMF on q35, Secure Boot off (no keys enrolled). Its flash: ovmf-pflash.ts. OVMF ignores
 * `-boot order=`: the device to boot carries `bootindex`. OVMF prints its boot manager's and PXE's
 * messages on the serial console.
 */
export const ovmf: Firmware<'uefi'> = {
  id: 'uefi',
  description: 'OVMF (UEFI, machine q35)',
  architecture: 'x86_64',
  machineType: 'q35',
  bootSelection: 'bootindex',
  hostFiles: [
    { path: OVMF_CODE_PATH, pkg: 'ovmf' },
    { path: OVMF_VARS_PATH, pkg: 'ovmf' },
  ],
  phases: [{ id: 'firmware', marker: null, label: 'firmware (OVMF) / PXE' }],
  failSignatures: OVMF_FAIL_SIGNATURES,
  diskBootUnsupported: noEfiSystemPartition,
  // OVMF sent its first PXE request 7.4 to 9.6 s after start under TCG (QEMU 7.2); a crash of
  // OVMF under KVM is still seen at once (the probe's 'stop' event).
  probeSettleMs: 10_000,
  secureBoot: false,
  machineArgs: (runtimeDir) => ovmfPflashArgs({ code: OVMF_CODE_PATH, vars: OVMF_VARS_PATH }, runtimeDir),
};
