import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDiskEvidence, readDiskEvidence } from '../../harness/disk/disk-evidence.js';
import { createDisk, parseDiskSize } from '../../harness/disk/disk-image.js';
import { HarnessError } from '../../harness/errors.js';

// Disks made with the real qemu-img, partitioned with sfdisk, formatted with mke2fs, and read
// back the way the harness reads a deployed disk: no root, no mount.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-disk-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('createDisk', () => {
  it.each(['raw', 'qcow2'] as const)('makes a sparse %s disk of the asked size', async (format) => {
    const disk = await createDisk(dir, { name: `blank-${format}`, size: '3G', format });
    expect(disk.sizeBytes).toBe(3 * 1024 ** 3);
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', disk.path])).stdout);
    expect(info.format).toBe(format);
    expect(info['virtual-size']).toBe(3 * 1024 ** 3);
    expect((await stat(disk.path)).blocks * 512).toBeLessThan(10 * 1024 ** 2);
    const evidence = await readDiskEvidence(disk);
    expect(evidence).toEqual({ disk: `blank-${format}`, partitions: [], blank: true });
  });

  it("makes a 'used' disk: an MBR and an ext4 file system labelled olddata, as the host reads them", async () => {
    const disk = await createDisk(dir, { name: 'used', size: '1G', contents: 'used', serial: 'PXE-1' });
    expect(disk.serial).toBe('PXE-1');
    const evidence = await readDiskEvidence(disk);
    expect(evidence.blank).toBe(false);
    expect(evidence.partitionTable).toBe('dos');
    expect(evidence.partitions).toEqual([expect.objectContaining({ number: 1, filesystem: 'ext4', label: 'olddata' })]);
    await expect(createDisk(dir, { name: 'used-qcow', size: '1G', format: 'qcow2', contents: 'used' })).rejects.toThrow(/needs format raw/);
  });

  it.each([
    ['snapshot-file', '/LiveOS/overlay.img', /^\s*\d+\s+1006[04]4 \(1\)\s+0\s+0\s+536870912\b.*overlay\.img/m],
    ['overlayfs-folder', '/LiveOS/overlayfs', /^\s*\d+\s+40755 \(2\).*\boverlayfs\s*$/m],
  ] as const)('makes an overlay store disk (%s): one ext4 file system with its label and the empty store, as debugfs reads it', async (kind, path, listed) => {
    const disk = await createDisk(dir, { name: `store-${kind}`, size: '1G', contents: { overlayStore: { label: 'pxe-overlay', path, kind } } });
    expect((await execa('blkid', ['-p', '-o', 'export', disk.path])).stdout).toMatch(/^LABEL=pxe-overlay$[\s\S]*^TYPE=ext4$/m);
    const listing = (await execa('debugfs', ['-R', 'ls -l /LiveOS', disk.path])).stdout;
    expect(listing).toMatch(listed);
    if (kind === 'overlayfs-folder') expect(listing).toMatch(/\bovlwork\s*$/m);
    else expect(listing).not.toMatch(/ovlwork/);
    // Sparse on the host: the 512 MiB store costs nothing until the guest writes.
    expect((await stat(disk.path)).blocks * 512).toBeLessThan(64 * 1024 ** 2);
  });

  it('refuses a nonsense size, quoting it', () => {
    expect(() => parseDiskSize('three gigs')).toThrow(/got "three gigs"/);
    expect(() => parseDiskSize('10K')).toThrow(HarnessError);
    expect(parseDiskSize('512M')).toBe(512 * 1024 ** 2);
  });

  it('refuses a disk larger than the free space, naming the size and the fix', async () => {
    const error = await createDisk(dir, { name: 'huge', size: '900T' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).message).toMatch(/disk huge of 900T does not fit/);
    expect((error as HarnessError).context.fix).toMatch(/TMPDIR/);
  });
});

describe('readDiskEvidence', () => {
  it('finds the ISO at the start, the partition table, and a cow partition with its file system and label', async () => {
    // A disk laid out like a deployed live system: an ISO at the start, then a partition labelled cow.
    const tree = join(dir, 'isotree');
    await mkdir(tree, { recursive: true });
    await writeFile(join(tree, 'hello.txt'), 'live');
    const iso = join(dir, 'small.iso');
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'CDROM', '-o', iso, tree]);
    const disk = await createDisk(dir, { name: 'deployed', size: '64M' });
    const handle = await open(disk.path, 'r+');
    await handle.write(await readFile(iso), 0, undefined, 0);
    await handle.close();
    // The ISO keeps its first 32 KiB of system area: the partition table goes into the MBR there.
    await execa('sfdisk', ['--no-reread', '--no-tell-kernel', disk.path], { input: 'label: dos\nstart=2048, size=20480, type=83\nstart=22528, type=83\n' });
    await execa('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'cow', '-E', `offset=${22528 * 512}`, disk.path, `${(64 * 1024 - 22528 / 2)}k`]);

    const evidence = await readDiskEvidence(disk);
    expect(evidence.isoVolumeId).toBe('CDROM');
    expect(evidence.partitionTable).toBe('dos');
    expect(evidence.partitions).toHaveLength(2);
    expect(evidence.partitions[1]).toMatchObject({ number: 2, startBytes: 22528 * 512, filesystem: 'ext4', label: 'cow' });
    expect(evidence.partitions[0]!.label).toBeUndefined();
    expect(evidence.blank).toBe(false);
    expect(describeDiskEvidence(evidence)).toMatch(/ISO 9660 "CDROM" at the start, dos partition table: #1 10 MiB .*#2 \d+ MiB ext4 "cow"/);

    // The same disk as qcow2 gives the same evidence.
    const qcow2 = join(dir, 'deployed.qcow2');
    await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', disk.path, qcow2]);
    const fromQcow2 = await readDiskEvidence({ ...disk, path: qcow2, format: 'qcow2' });
    expect(fromQcow2).toEqual(evidence);
  });
});
