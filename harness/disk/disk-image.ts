import { mkdir, mkdtemp, rm, statfs, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { HarnessError, inputError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';

export type DiskFormat = 'raw' | 'qcow2';

export interface DiskSpec {
  /** A file name part: letters, digits, dashes. */
  name: string;
  /** qemu-img's size syntax: 3G, 512M, 1073741824. */
  size: string;
  format?: DiskFormat;
  /** ide: /dev/sda in the guest (the seed's -hda); virtio: /dev/vda. */
  interface?: 'ide' | 'virtio';
  /**
   * 'used': a disk that already holds data (raw only): an MBR with one Linux partition from 1 MiB
   * on, holding an ext4 file system labelled `olddata` (made on the host, no root, no mount).
   */
  contents?: 'used' | { overlayStore: OverlayStoreLayout };
  /** The serial number the guest sees (its /dev/disk/by-id/ name): letters, digits, dashes. */
  serial?: string;
}

/**
 * A disk (raw only) that is one ext4 file system, with no partition table, labelled `label`, made
 * on the host with mkfs.ext4 -d (no root, no mount), holding an empty persistent overlay store
 * at `path`: a sparse file of 512 MiB for a device-mapper snapshot (dm-snapshot writes its header
 * into a zeroed store on first use), or a folder with an empty `ovlwork` beside it for overlayfs.
 */
export interface OverlayStoreLayout {
  label: string;
  path: string;
  kind: 'snapshot-file' | 'overlayfs-folder';
}

/** Every field of OverlayStoreLayout. */
export const OVERLAY_STORE_LAYOUT_FIELDS = { label: true, path: true, kind: true } as const satisfies Record<keyof OverlayStoreLayout, true>;

/** The size of a snapshot store: room for the writes of a few boots, sparse on the host. */
const SNAPSHOT_STORE_BYTES = 512 * 1024 ** 2;

/** Every field of DiskSpec (a scenario's disks are checked against it: a misspelt field is refused). */
export const DISK_SPEC_FIELDS = { name: true, size: true, format: true, interface: true, contents: true, serial: true } as const satisfies Record<keyof DiskSpec, true>;

export interface DiskImage {
  name: string;
  path: string;
  format: DiskFormat;
  interface: 'ide' | 'virtio';
  sizeBytes: number;
  serial?: string;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses qemu-img's size syntax; quotes the bad value when it is not one. */
export function parseDiskSize(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(size.trim());
  const bytes = match ? Math.round(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1024 * 1024) {
    throw inputError(`disk size must be a number with an optional K/M/G/T suffix of at least 1M, got ${JSON.stringify(size)}`, size, 'write it like 3G or 512M');
  }
  return bytes;
}

/**
 * Creates a sparse disk with qemu-img in `dir`. Refuses a disk larger than the free space
 * there: a sparse file would be created, and the guest would fail mid-deploy instead.
 */
export async function createDisk(dir: string, spec: DiskSpec): Promise<DiskImage> {
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(spec.name)) throw new RangeError(`disk name must be letters, digits and dashes, got ${JSON.stringify(spec.name)}`);
  const sizeBytes = parseDiskSize(spec.size);
  const format = spec.format ?? 'raw';
  const fs = await statfs(dir);
  const freeBytes = fs.bavail * fs.bsize;
  if (sizeBytes > freeBytes) {
    throw inputError(
      `disk ${spec.name} of ${spec.size} does not fit into the ${(freeBytes / 1024 ** 3).toFixed(1)} GiB free in ${dir}`,
      spec.size,
      'free space there, or set TMPDIR to a folder with more room',
    );
  }
  const qemuImg = await requireTool('qemu-img');
  const path = join(dir, `${spec.name}.${format === 'raw' ? 'raw' : 'qcow2'}`);
  const result = await execa(qemuImg, ['create', '-q', '-f', format, path, String(sizeBytes)], { reject: false, all: true });
  if (result.exitCode !== 0) {
    throw new HarnessError('host', `qemu-img could not create ${path}: ${String(result.all).trim()}`, { fix: 'check the folder and qemu-img' });
  }
  if (spec.contents === 'used') await makeUsed(path, format, sizeBytes);
  else if (spec.contents) await makeOverlayStore(path, format, spec.contents.overlayStore);
  if (spec.serial !== undefined && !/^[A-Za-z0-9-]{1,20}$/.test(spec.serial)) throw new RangeError(`disk serial must be 1-20 letters, digits and dashes, got ${JSON.stringify(spec.serial)}`);
  return { name: spec.name, path, format, interface: spec.interface ?? 'ide', sizeBytes, ...(spec.serial ? { serial: spec.serial } : {}) };
}

/** A partition table and a file system on a fresh raw disk image, written into the file itself. */
async function makeUsed(path: string, format: DiskFormat, sizeBytes: number): Promise<void> {
  if (format !== 'raw') throw new RangeError(`disk contents 'used' needs format raw, got ${JSON.stringify(format)}`);
  const [sfdisk, mkfs] = await Promise.all([requireTool('sfdisk'), requireTool('mkfs.ext4')]);
  const partitionBytes = Math.min(256 * 1024 ** 2, sizeBytes - 2 * 1024 ** 2);
  await execa(sfdisk, ['--quiet', path], { input: `label: dos\nstart=2048, size=${partitionBytes / 512}, type=83\n` });
  await execa(mkfs, ['-q', '-F', '-L', 'olddata', '-E', `offset=${1024 ** 2}`, path, `${partitionBytes / 1024}k`]);
}

/** The overlay store's file system, written into the raw disk image from a staging folder. */
async function makeOverlayStore(path: string, format: DiskFormat, layout: OverlayStoreLayout): Promise<void> {
  if (format !== 'raw') throw new RangeError(`disk contents overlayStore needs format raw, got ${JSON.stringify(format)}`);
  const mkfs = await requireTool('mkfs.ext4');
  const staging = await mkdtemp(join(dirname(path), 'overlay-store-'));
  try {
    const store = join(staging, layout.path);
    await mkdir(dirname(store), { recursive: true });
    if (layout.kind === 'snapshot-file') await truncateNew(store, SNAPSHOT_STORE_BYTES);
    else await Promise.all([mkdir(store), mkdir(join(dirname(store), 'ovlwork'))]);
    await execa(mkfs, ['-q', '-F', '-L', layout.label, '-d', staging, path]);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function truncateNew(path: string, sizeBytes: number): Promise<void> {
  await writeFile(path, '');
  await truncate(path, sizeBytes);
}
