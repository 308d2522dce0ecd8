import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { setPriority } from 'node:os';
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

/** A part file left by a run that was killed (its xz with it) is removed once this old. */
const STALE_PART_MS = 24 * 3600_000;

/**
 * The compressed copy of `filePath`: made once per ISO content (its sha256 names it) into the
 * harness's cache (`derived/`), and reused by every scenario of the run and by later runs, so
 * that an ISO's xz copy costs its minutes once (issue: 5 minutes per scenario and run for a
 * 1.16 GB ISO). A run asks for it as it starts (startCompressedCopies), so it is made while the
 * first boots run, at the lowest CPU priority so that the boots keep their cores. The fastest
 * preset on every core: what the guest proves is that the module decompresses it back to the ISO
 * byte for byte, which any preset shows. `signal` stops the compression and removes its part file.
 */
export function compressedCopy(filePath: string, compression: Compression, signal?: AbortSignal): Promise<string> {
  const key = `${filePath}\0${compression}`;
  const known = copies.get(key);
  // A copy made earlier in this process may have been pruned since by another run.
  const copy = known ? known.then((out) => stat(out).then(() => out, () => makeOrReuse(filePath, compression, signal))) : makeOrReuse(filePath, compression, signal);
  copies.set(key, copy);
  copy.catch(() => copies.delete(key));
  return copy;
}

async function makeOrReuse(filePath: string, compression: Compression, signal?: AbortSignal): Promise<string> {
  const { size } = await stat(filePath);
  const digest = await digestRanges(filePath, [{ start: 0, end: size }]);
  const dir = join(cacheDir(), 'derived');
  const out = join(dir, `${digest}.iso${COMPRESSION_SUFFIX[compression]}`);
  const now = new Date();
  // A hit is marked as used (the pruning keeps the copies used last).
  if (await utimes(out, now, now).then(() => true, () => false)) return out;
  await mkdir(dir, { recursive: true });
  // Written beside its final name, synced and renamed: a second run making the same copy, a run
  // stopped halfway or a crash never leaves a partial file under the final name.
  const part = `${out}.part-${process.pid}-${Date.now()}`;
  try {
    await compress(filePath, part, signal);
    await rename(part, out);
  } finally {
    await rm(part, { force: true });
  }
  await pruneCopies(dir);
  return out;
}

async function compress(filePath: string, out: string, signal?: AbortSignal): Promise<void> {
  const xz = await requireTool('xz');
  const child = execa(xz, ['-0', '-T0', '--stdout', '--', filePath], { buffer: { stdout: false }, stderr: 'pipe', ...(signal ? { cancelSignal: signal } : {}) });
  // Below the boots: a copy made beside them must not take their cores (TCG is CPU-bound).
  try {
    if (child.pid !== undefined) setPriority(child.pid, 19);
  } catch {
    // xz already ended (a tiny file): nothing to lower.
  }
  await Promise.all([pipeline(child.stdout!, createWriteStream(out)), child]);
  const handle = await open(out, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Keeps the KEPT_COPIES copies used last, and removes part files that no run has written for a day. */
async function pruneCopies(dir: string): Promise<void> {
  const dated = await Promise.all((await readdir(dir)).map(async (n) => ({ name: n, path: join(dir, n), usedMs: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  const stale = dated.filter((c) => c.name.includes('.part-') && Date.now() - c.usedMs > STALE_PART_MS);
  const old = dated.filter((c) => !c.name.includes('.part-')).sort((a, b) => b.usedMs - a.usedMs).slice(KEPT_COPIES);
  await Promise.all([...stale, ...old].map((c) => rm(c.path, { force: true })));
}

/**
 * Starts the compressed copies a run's scenarios will publish, so that they are made while its
 * first boots run. Returns what ends them with the run: a copy still being made is stopped (its
 * part file removed), so that a run leaves no xz behind (an interrupted run, or one whose
 * xz scenario never started); a copy made stays in the cache.
 */
export function startCompressedCopies(filePath: string, compressions: readonly (Compression | undefined)[]): { stop: () => Promise<void> } {
  const controller = new AbortController();
  const started = [...new Set(compressions)].flatMap((c) => (c ? [compressedCopy(filePath, c, controller.signal).catch(() => undefined)] : []));
  return {
    stop: async () => {
      controller.abort();
      await Promise.all(started);
    },
  };
}
