import { NO_SIGNED_CHAIN, type IsoBootFacts } from '../iso/boot-facts.js';
import type { Firmware } from './firmware.js';
import { noEfiSystemPartition, OVMF_FAIL_SIGNATURES } from './ovmf.js';
import { ovmfPflashArgs } from './ovmf-pflash.js';

/**
 * Debian's OVMF built for Secure Boot (package ovmf): code that needs SMM, and a variables store
 * with Microsoft's keys enrolled and Secure Boot on (README.Debian), as a fleet's machines ship.
 */
export const OVMF_SECBOOT_CODE_PATH = '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd';
export const OVMF_MS_VARS_PATH = '/usr/share/OVMF/OVMF_VARS_4M.ms.fd';

/** Why a disk written from this ISO cannot boot with Secure Boot on: no ESP, or nothing signed on it. */
function diskBootUnsupported(iso: IsoBootFacts): string | undefined {
  return noEfiSystemPartition(iso) ?? (iso.signedChain ? undefined : `it boots a deployed disk with Secure Boot on, and ${NO_SIGNED_CHAIN}`);
}

/**
 * UEFI with Secure Boot on: OVMF's secboot build on q35 with SMM (its variables are writable only
 * from SMM, so the guest cannot switch Secure Boot off) and the flash marked secure. What it
 * boots must verify against the enrolled keys: shim (signed by Microsoft) verifies the next stage
 * against its vendor's key, and GRUB asks shim to verify the kernel.
 */
export const ovmfSecure: Firmware<'uefi-secure'> = {
  id: 'uefi-secure',
  description: 'OVMF with Secure Boot on (Microsoft keys enrolled; machine q35 with SMM)',
  architecture: 'x86_64',
  machineType: 'q35',
  bootSelection: 'bootindex',
  hostFiles: [
    { path: OVMF_SECBOOT_CODE_PATH, pkg: 'ovmf' },
    { path: OVMF_MS_VARS_PATH, pkg: 'ovmf' },
  ],
  phases: [{ id: 'firmware', marker: null, label: 'firmware (OVMF, Secure Boot) / PXE' }],
  failSignatures: [
    {
      // OVMF refusing an unsigned boot file, shim refusing its second stage, GRUB (through shim) refusing the kernel.
      id: 'secure-boot-refused',
      pattern: /BdsDxe: failed to load Boot\d+ .*: Access Denied|Verification failed: \(0x1A\) Security Violation|error: bad shim signature|error: (?:prohibited by secure boot policy|verification requested but nobody cares)/,
      meaning: 'Secure Boot refused a program of the boot chain (its signature did not verify)',
    },
    ...OVMF_FAIL_SIGNATURES,
  ],
  diskBootUnsupported,
  // The secboot build with SMM starts a little slower than the plain one under TCG.
  probeSettleMs: 12_000,
  secureBoot: true,
  async machineArgs(runtimeDir: string): Promise<string[]> {
    const flash = await ovmfPflashArgs({ code: OVMF_SECBOOT_CODE_PATH, vars: OVMF_MS_VARS_PATH }, runtimeDir);
    // The machine's own `-machine q35` and this one merge (QEMU's machine options are one list).
    return ['-machine', 'smm=on', '-global', 'driver=cfi.pflash01,property=secure,value=on', ...flash];
  },
};
