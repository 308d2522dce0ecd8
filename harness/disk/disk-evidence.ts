import { open } from 'node:fs/promises';
import { execa } from 'execa';
import { dir as tmpDir } from 'tmp-promise';
import { parsePrimaryVolumeDescriptor } from '../iso/iso-image.js';
import { requireTool } from '../util/host-tools.js';
import type { DiskImage } from './disk-image.js';

export interface PartitionEvidence {
  /** 1-based, as the guest's /dev/sdaN. */
  number: number;
  startBytes: number;
  sizeBytes: number;
  /** The partition table's type code. */
  type: string;
  /** What blkid finds inside: xfs, ext4, vfat, iso9660, or undefined when nothing. */
  filesystem?: string;
  label?: string;
}

export interface DiskEvidence {
  disk: string;
  /** dos, gpt, or undefined when the disk has no partition table. */
  partitionTable?: string;
  partitions: PartitionEvidence[];
  /** The ISO 9660 volume id when the disk itself starts with an ISO image, else undefined. */
  isoVolumeId?: string;
  /** True when no byte of the disk was ever written (a fresh sparse disk). */
  blank: boolean;
}

/**
 * What is on a disk, read on the host with no root and no mount: the partition table (sfdisk),
 * the ISO 9660 volume descriptor at the start, and the file system and label of each partition
 * (blkid probing at the partition's offset). A qcow2 disk is first converted to a sparse raw copy.
 */
export async function readDiskEvidence(disk: DiskImage): Promise<DiskEvidence> {
  const temp = disk.format === 'raw' ? undefined : await tmpDir({ prefix: 'pxe-harness-disk-', unsafeCleanup: true });
  try {
    let rawPath = disk.path;
    if (temp) {
      rawPath = `${temp.path}/disk.raw`;
      await execa(await requireTool('qemu-img'), ['convert', '-f', disk.format, '-O', 'raw', disk.path, rawPath]);
    }
    const head = Buffer.alloc(64 * 1024);
    const handle = await open(rawPath, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    const pvd = parsePrimaryVolumeDescriptor(head.subarray(16 * 2048, 17 * 2048));
    const sfdisk = await requireTool('sfdisk');
    const table = await execa(sfdisk, ['--json', rawPath], { reject: false });
    const partitions: PartitionEvidence[] = [];
    let partitionTable: string | undefined;
    if (table.exitCode === 0 && table.stdout.trim()) {
      const parsed = JSON.parse(table.stdout) as {
        partitiontable: { label: string; sectorsize?: number; partitions?: { node: string; start: number; size: number; type: string }[] };
      };
      partitionTable = parsed.partitiontable.label;
      const sector = parsed.partitiontable.sectorsize ?? 512;
      for (const p of parsed.partitiontable.partitions ?? []) {
        const number = Number(/(\d+)$/.exec(p.node)?.[1] ?? partitions.length + 1);
        const probe = await probeFilesystem(rawPath, p.start * sector, p.size * sector);
        partitions.push({ number, startBytes: p.start * sector, sizeBytes: p.size * sector, type: p.type, ...probe });
      }
    }
    return {
      disk: disk.name,
      ...(partitionTable ? { partitionTable } : {}),
      partitions,
      ...(pvd ? { isoVolumeId: pvd.volumeId } : {}),
      blank: head.every((b) => b === 0) && partitions.length === 0,
    };
  } finally {
    await temp?.cleanup();
  }
}

async function probeFilesystem(path: string, offset: number, size: number): Promise<{ filesystem?: string; label?: string }> {
  const blkid = await requireTool('blkid');
  const result = await execa(blkid, ['-p', '-o', 'export', '--offset', String(offset), '--size', String(size), path], { reject: false });
  const values = Object.fromEntries(
    result.stdout
      .split('\n')
      .map((line) => line.split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k, v.join('=')]),
  );
  return { ...(values.TYPE ? { filesystem: values.TYPE } : {}), ...(values.LABEL ? { label: values.LABEL } : {}) };
}

export function describeDiskEvidence(e: DiskEvidence): string {
  if (e.blank) return `${e.disk}: blank`;
  const parts = e.partitions.map((p) => `#${p.number} ${(p.sizeBytes / 1024 ** 2).toFixed(0)} MiB ${p.filesystem ?? 'no fs'}${p.label ? ` "${p.label}"` : ''}`);
  return `${e.disk}: ${e.isoVolumeId ? `ISO 9660 "${e.isoVolumeId}" at the start, ` : 'no ISO at the start, '}${e.partitionTable ?? 'no'} partition table${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

