import { join } from 'node:path';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';
import type { DiskImage } from './disk-image.js';

/** Copies of a scenario's disks as they were before a boot, to put back before the boot runs again. */
export interface DiskSnapshot {
  restore(): Promise<void>;
}

/**
 * Sparse copies (a 3G disk holding a 200 MB ISO costs 200 MB and a second or two), so that a boot
 * the host broke half way (a TCG race after the deploy began) can run again on the same disks.
 */
export async function snapshotDisks(disks: readonly DiskImage[], dir: string): Promise<DiskSnapshot> {
  const cp = await requireTool('cp');
  const copies = disks.map((disk, i) => ({ disk, copy: join(dir, `snapshot-${i}-${disk.name}`) }));
  for (const { disk, copy } of copies) await execa(cp, ['--sparse=always', '--reflink=auto', disk.path, copy]);
  return {
    async restore() {
      for (const { disk, copy } of copies) await execa(cp, ['--sparse=always', '--reflink=auto', copy, disk.path]);
    },
  };
}
