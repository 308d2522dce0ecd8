import type { Firmware } from './firmware.js';
import { noEfiSystemPartition, OVMF_FAIL_SIGNATURES } from './ovmf.js';
import { ovmfPflashArgs } from './ovmf-pflash.js';

/** Debian's AAVMF (package qemu-efi-aarch64): EDK II for QEMU's arm64 `virt` machine, no keys enrolled. */
export const AAVMF_CODE_PATH = '/usr/share/AAVMF/AAVMF_CODE.fd';
export const AAVMF_VARS_PATH = '/usr/share/AAVMF/AAVMF_VARS.fd';

const AAVMF_NO_AHCI = "it boots a deployed disk, and the seed's disk sits on virt's AHCI (SATA) controller, for which AAVMF (Debian's qemu-efi-aarch64 2022.11) has no driver: it finds no disk to boot";

/**
 * UEFI on aarch64: AAVMF on `virt` (gic-version=max: the GIC version the CPU model supports best).
 * Like OVMF it boots the device that carries `bootindex` and prints its PXE messages on the serial
 * console (Debian's build is verbose: its debug lines go there too).
 */
export const aavmf: Firmware<'uefi'> = {
  id: 'uefi',
  description: 'AAVMF (UEFI for aarch64, machine virt)',
  architecture: 'aarch64',
  machineType: 'virt,gic-version=max',
  bootSelection: 'bootindex',
  hostFiles: [
    { path: AAVMF_CODE_PATH, pkg: 'qemu-efi-aarch64' },
    { path: AAVMF_VARS_PATH, pkg: 'qemu-efi-aarch64' },
  ],
  phases: [{ id: 'firmware', marker: null, label: 'firmware (AAVMF) / PXE' }],
  failSignatures: OVMF_FAIL_SIGNATURES,
  // Measured: AAVMF finds no disk on virt's AHCI controller ("map: No mapping found", then its
  // shell), and virt has no IDE; the seed's -hda goes on AHCI there (Architecture.ideDisks), where
  // kiwi-live's persistent boots work and on virtio SCSI they do not. So no deployed disk boots.
  diskBootUnsupported: (iso) => noEfiSystemPartition(iso) ?? AAVMF_NO_AHCI,
  // No KVM probe runs for it on an x86_64 host (an aarch64 guest boots under TCG there).
  probeSettleMs: 30_000,
  secureBoot: false,
  machineArgs: (runtimeDir) => ovmfPflashArgs({ code: AAVMF_CODE_PATH, vars: AAVMF_VARS_PATH, pkg: 'qemu-efi-aarch64' }, runtimeDir),
};
