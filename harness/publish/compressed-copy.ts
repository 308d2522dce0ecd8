import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { digestRanges } from '../iso/iso-digest.js';
import { cacheDir } from '../util/cache-dir.js';
import { requireTool } from '../util/host-tools.js';

/** How a scenario may publish the ISO compressed, and the suffix its URL then carries. */
export type Compression = 'xz';

const COMPRESSION_SUFFIX: Record<Compression, string> = { xz: '.xz' };

/** The compressed copies kept in the cache, the ones used last; older ones are removed. */
const KEPT_COPIES = 3;

/** The path the boot entry fetches: the ISO's own, or its compressed copy's beside it. */
export const fetchPathOf = (isoUrlPath: string, compression?: Compression): string =>
  compression ? `${isoUrlPath}${COMPRESSION_SUFFIX[compression]}` : isoUrlPath;

const copies = new Map<string, Promise<string>>();

/**
 * The compressed copy of `filePath`: made once per ISO content (its sha256 names it) into the
 * harness's cache (`derived/`), and reused by every scenario of the run and by later runs, so
 * that an ISO's xz copy costs its minutes once (issue: 5 minutes per scenario and run for a
 * 1.16 GB ISO). A run asks for it as it starts (startCompressedCopies), so it is made while the
 * first boots run. The fastest preset on every core: what the guest proves is that the module
 * decompresses it back to the ISO byte for byte, which any preset shows.
 */
export function compressedCopy(filePath: string, compression: Compression): Promise<string> {
  const key = `${filePath}\0${compression}`;
  let copy = copies.get(key);
  if (!copy) {
    copy = makeOrReuse(filePath, compression);
    copies.set(key, copy);
    copy.catch(() => copies.delete(key));
  }
  return copy;
}

async function makeOrReuse(filePath: string, compression: Compression): Promise<string> {
  const { size } = await stat(filePath);
  const digest = await digestRanges(filePath, [{ start: 0, end: size }]);
  const dir = join(cacheDir(), 'derived');
  const out = join(dir, `${digest}.iso${COMPRESSION_SUFFIX[compression]}`);
  const now = new Date();
  // A hit is marked as used (the pruning keeps the copies used last).
  if (await utimes(out, now, now).then(() => true, () => false)) return out;
  await mkdir(dir, { recursive: true });
  // Written beside its final name and renamed: a second run making the same copy, or a run
  // stopped halfway, never leaves a partial file under the final name.
  const part = `${out}.part-${process.pid}-${Date.now()}`;
  try {
    await compress(filePath, part);
    await rename(part, out);
  } finally {
    await rm(part, { force: true });
  }
  await pruneCopies(dir);
  return out;
}

async function compress(filePath: string, out: string): Promise<void> {
  const xz = await requireTool('xz');
  const child = execa(xz, ['-0', '-T0', '--stdout', '--', filePath], { buffer: { stdout: false }, stderr: 'pipe' });
  await Promise.all([pipeline(child.stdout!, createWriteStream(out)), child]);
}

/** Keeps the KEPT_COPIES copies used last (partial files of other runs are left to them). */
async function pruneCopies(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => !n.includes('.part-'));
  const dated = await Promise.all(names.map(async (n) => ({ path: join(dir, n), usedMs: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  const old = dated.sort((a, b) => b.usedMs - a.usedMs).slice(KEPT_COPIES);
  await Promise.all(old.map((c) => rm(c.path, { force: true })));
}

/** Starts the compressed copies a run's scenarios will publish, so that they are made while its first boots run. */
export function startCompressedCopies(filePath: string, compressions: readonly (Compression | undefined)[]): void {
  for (const compression of new Set(compressions)) {
    // A failure is the scenario's to report when it awaits the copy; here it must not go unhandled.
    if (compression) compressedCopy(filePath, compression).catch(() => undefined);
  }
}
