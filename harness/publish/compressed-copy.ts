import { createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/** How a scenario may publish the ISO compressed, and the suffix its URL then carries. */
export type Compression = 'xz';

const COMPRESSION_SUFFIX: Record<Compression, string> = { xz: '.xz' };

/** The path the boot entry fetches: the ISO's own, or its compressed copy's beside it. */
export const fetchPathOf = (isoUrlPath: string, compression?: Compression): string =>
  compression ? `${isoUrlPath}${COMPRESSION_SUFFIX[compression]}` : isoUrlPath;

/**
 * Writes an xz copy of `filePath` into `dir` (the scenario's temp dir) and returns its path. The
 * fastest preset on every core: the copy exists only for one scenario, and what the guest proves
 * is that the module decompresses it back to the ISO byte for byte, which any preset shows.
 */
export async function compressedCopy(filePath: string, dir: string, compression: Compression): Promise<string> {
  const xz = await requireTool('xz');
  const out = join(dir, `${basename(filePath)}${COMPRESSION_SUFFIX[compression]}`);
  const child = execa(xz, ['-0', '-T0', '--stdout', '--', filePath], { buffer: { stdout: false }, stderr: 'pipe' });
  await Promise.all([pipeline(child.stdout!, createWriteStream(out)), child]);
  return out;
}
