import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { inspectIso, type IsoInfo } from '../harness/iso/iso-image.js';
import { packageRoot } from '../harness/util/package-root.js';
import { packageVersion } from '../harness/util/package-version.js';

/** The harness's own version, as npm knows it (package.json). */
export async function harnessVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return version;
}

/**
 * What a run's results say about what was judged and by what: the ISO's name, size and volume
 * id, the harness's and QEMU's versions (Debian's qemu-system-x86), so that a result read later,
 * or merged with another shard's, says what produced it.
 */
export async function runMeta(iso: IsoInfo | string): Promise<RunMetaFields> {
  const [version, qemu, info] = await Promise.all([harnessVersion(), packageVersion('qemu-system-x86'), typeof iso === 'string' ? inspectIso(iso) : iso]);
  return {
    isoFile: { name: basename(info.path), sizeBytes: info.sizeBytes, volumeId: info.volumeId },
    harness: { version },
    qemu: { package: 'qemu-system-x86', version: qemu },
  };
}

export interface RunMetaFields {
  /** The ISO as merge tells shards apart: its file name, size and volume id (paths differ between CI machines). */
  isoFile: { name: string; sizeBytes: number; volumeId: string };
  harness: { version: string };
  qemu: { package: string; version: string };
}
