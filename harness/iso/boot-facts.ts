import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/** A Secure Boot chain on the ISO: shim (the removable-media boot file) and the signed loader it starts. */
export interface SignedChain {
  /** Paths in the ISO: `/EFI/BOOT/bootx64.efi` (shim) and the second stage beside it (`grubx64.efi`, SUSE's `grub.efi`). */
  shim: string;
  loader: string;
}

/** What the ISO's own partition table and EFI folder say about how it boots. */
export interface IsoBootFacts {
  /** dos (an MBR hybrid), gpt (an EFI hybrid), or none. */
  partitionTable: 'dos' | 'gpt' | 'none';
  /** An EFI system partition (GPT type C12A7328-..., or MBR type ef): UEFI can boot the disk. */
  efiSystemPartition: boolean;
  /** The Secure Boot chain in /EFI/BOOT, when the ISO carries one (KIWI's firmware="uefi"). */
  signedChain?: SignedChain;
}

/** Why an ISO without a shim chain cannot boot with Secure Boot on (the end of a SKIP reason). */
export const NO_SIGNED_CHAIN = 'the ISO carries no signed boot chain (no shim with a second stage beside it in /EFI/BOOT; KIWI builds one with firmware="uefi" and the vendor\'s shim and signed GRUB in the image)';

const ESP_TYPES = ['C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'ef'];
const EFI_BOOT = '/EFI/BOOT';
/** The second stages shims start, by the names their vendors build in (shim's DEFAULT_LOADER). */
const SECOND_STAGES = ['grubx64.efi', 'grub.efi'];

/** Read on the host from the image file itself (sfdisk, xorriso): no root, no mount. */
export async function readIsoBootFacts(isoPath: string): Promise<IsoBootFacts> {
  const [table, signedChain] = await Promise.all([readPartitionTable(isoPath), readSignedChain(isoPath)]);
  return { ...table, ...(signedChain ? { signedChain } : {}) };
}

async function readPartitionTable(isoPath: string): Promise<Omit<IsoBootFacts, 'signedChain'>> {
  const sfdisk = await requireTool('sfdisk');
  const result = await execa(sfdisk, ['--json', isoPath], { reject: false });
  if (result.exitCode !== 0 || !result.stdout.trim()) return { partitionTable: 'none', efiSystemPartition: false };
  const table = (JSON.parse(result.stdout) as { partitiontable: { label: string; partitions?: { type: string }[] } }).partitiontable;
  const partitions = table.partitions ?? [];
  return {
    partitionTable: table.label === 'gpt' ? 'gpt' : 'dos',
    efiSystemPartition: partitions.some((p) => ESP_TYPES.includes(p.type.toUpperCase()) || ESP_TYPES.includes(p.type.toLowerCase())),
  };
}

/**
 * A shim chain is the boot file plus a second stage beside it (an unsigned build, KIWI's
 * firmware="efi", has GRUB itself as bootx64.efi and nothing beside it); names compared without case,
 * as the FAT of the EFI image does.
 */
export function signedChainOf(names: readonly string[]): SignedChain | undefined {
  const find = (name: string) => names.find((n) => n.toLowerCase() === `${EFI_BOOT}/${name}`.toLowerCase());
  const shim = find('bootx64.efi');
  const loader = SECOND_STAGES.map(find).find(Boolean);
  return shim && loader ? { shim, loader } : undefined;
}

async function readSignedChain(isoPath: string): Promise<SignedChain | undefined> {
  const xorriso = await requireTool('xorriso');
  const result = await execa(xorriso, ['-indev', isoPath, '-find', EFI_BOOT, '-maxdepth', '1', '-type', 'f'], { reject: false });
  if (result.exitCode !== 0) return undefined;
  return signedChainOf(result.stdout.split('\n').map((line) => line.trim().replace(/^'|'$/g, '')).filter(Boolean));
}
