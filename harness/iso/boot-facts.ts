import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/** What the ISO's own partition table says about how it boots from a disk it was written to. */
export interface IsoBootFacts {
  /** dos (an MBR hybrid), gpt (an EFI hybrid), or none. */
  partitionTable: 'dos' | 'gpt' | 'none';
  /** An EFI system partition (GPT type C12A7328-..., or MBR type ef): UEFI can boot the disk. */
  efiSystemPartition: boolean;
}

const ESP_TYPES = ['C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'ef'];

/** Read on the host with sfdisk from the image file itself: no root, no mount. */
export async function readIsoBootFacts(isoPath: string): Promise<IsoBootFacts> {
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
