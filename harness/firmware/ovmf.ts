import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireHostFile } from '../util/host-tools.js';
import type { Firmware } from './firmware.js';
import { IPXE_FAIL_SIGNATURES } from './ipxe.js';

/** Debian's OVMF (package ovmf): the 4 MiB build without Secure Boot keys enrolled. */
export const OVMF_CODE_PATH = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS_PATH = '/usr/share/OVMF/OVMF_VARS_4M.fd';

/**
 * UEFI: OVMF on q35. Its code is read-only and shared; its variables store is a fresh copy per
 * boot (OVMF writes boot options into it, which must not leak from one boot into the next). OVMF
 * ignores `-boot order=`: the device to boot carries `bootindex`. IPv6 PXE is off: the harness's
 * network has no IPv6 service, and after a failed IPv4 PXE it only adds minutes of timeouts.
 * OVMF prints its boot manager's and PXE's messages on the serial console.
 */
export const ovmf: Firmware<'uefi'> = {
  id: 'uefi',
  description: 'OVMF (UEFI, machine q35)',
  machineType: 'q35',
  bootSelection: 'bootindex',
  hostFiles: [
    { path: OVMF_CODE_PATH, pkg: 'ovmf' },
    { path: OVMF_VARS_PATH, pkg: 'ovmf' },
  ],
  phases: [{ id: 'firmware', marker: null, label: 'firmware (OVMF) / PXE' }],
  failSignatures: [
    {
      id: 'uefi-pxe-failed',
      pattern: /PXE-E\d\d|BdsDxe: failed to load Boot\d+ "UEFI PXEv4|No bootable option or device was found/,
      meaning: 'the UEFI firmware could not load the network boot program',
    },
    ...IPXE_FAIL_SIGNATURES,
  ],
  // The deploy copies the ISO to the disk: OVMF boots the copy only from an EFI system partition.
  diskBootUnsupported: (iso) =>
    iso.efiSystemPartition ? undefined : `it boots a deployed disk under UEFI, and the ISO's partition table (${iso.partitionTable}) has no EFI system partition (a BIOS-only build)`,
  // OVMF sent its first PXE request 7.4 to 9.6 s after start under TCG (QEMU 7.2); a crash of
  // OVMF under KVM is still seen at once (the probe's 'stop' event).
  probeSettleMs: 10_000,
  async machineArgs(runtimeDir: string): Promise<string[]> {
    const [code, vars] = await Promise.all([requireHostFile(OVMF_CODE_PATH, 'ovmf'), requireHostFile(OVMF_VARS_PATH, 'ovmf')]);
    const varsCopy = join(runtimeDir, 'OVMF_VARS.fd');
    await copyFile(vars, varsCopy);
    return [
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${code.replaceAll(',', ',,')}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${varsCopy.replaceAll(',', ',,')}`,
      '-fw_cfg', 'name=opt/org.tianocore/IPv6PXESupport,string=no',
    ];
  },
};
