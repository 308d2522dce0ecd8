import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';

/** A byte range [start, end) of a file or device. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The ranges of [0, size) left once `excluded` is cut out, in order: what a comparison reads
 * when a deploy may rewrite some bytes (a partition table) and nothing else.
 */
export function keptRanges(sizeBytes: number, excluded: readonly ByteRange[]): ByteRange[] {
  const cuts = [...excluded].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const kept: ByteRange[] = [];
  let at = 0;
  for (const cut of cuts) {
    if (cut.start > at) kept.push({ start: at, end: Math.min(cut.start, sizeBytes) });
    at = Math.max(at, cut.end);
    if (at >= sizeBytes) break;
  }
  if (at < sizeBytes) kept.push({ start: at, end: sizeBytes });
  return kept.filter((r) => r.end > r.start);
}

const digests = new Map<string, Promise<string>>();

/** A digest algorithm of both sides: Node's name, which is also the guest tool's stem (md5sum, sha256sum). */
export type DigestAlgorithm = 'sha256' | 'md5';

/** The digest (sha256 unless asked) of the ranges of a file, read one after another (cached per file, ranges and algorithm for a run). */
export function digestRanges(path: string, ranges: readonly ByteRange[], algorithm: DigestAlgorithm = 'sha256'): Promise<string> {
  const key = `${algorithm}:${path}:${ranges.map((r) => `${r.start}-${r.end}`).join(',')}`;
  let digest = digests.get(key);
  if (!digest) {
    digest = computeDigest(path, ranges, algorithm);
    digests.set(key, digest);
    digest.catch(() => digests.delete(key));
  }
  return digest;
}

async function computeDigest(path: string, ranges: readonly ByteRange[], algorithm: DigestAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for (const range of ranges) {
    for await (const chunk of createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * The ranges cut into `count` parts of about equal bytes, in order (a part may span several
 * ranges, a range several parts): what readers side by side hash, one part each.
 */
export function splitRanges(ranges: readonly ByteRange[], count: number): ByteRange[][] {
  const total = ranges.reduce((sum, r) => sum + r.end - r.start, 0);
  const size = Math.ceil(total / Math.max(1, count));
  const parts: ByteRange[][] = [];
  let part: ByteRange[] = [];
  let room = size;
  for (const range of ranges) {
    let start = range.start;
    while (start < range.end) {
      const end = Math.min(range.end, start + room);
      part.push({ start, end });
      room -= end - start;
      start = end;
      if (room === 0) {
        parts.push(part);
        part = [];
        room = size;
      }
    }
  }
  if (part.length) parts.push(part);
  return parts;
}

/** True when the image carries a GUID partition table (an EFI hybrid ISO): "EFI PART" at byte 512. */
export async function hasGpt(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(8);
    await handle.read(header, 0, 8, 512);
    return header.toString('latin1') === 'EFI PART';
  } finally {
    await handle.close();
  }
}
