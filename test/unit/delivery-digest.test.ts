import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestRanges, keptRanges, splitRanges, type ByteRange } from '../../harness/iso/iso-digest.js';
import { liveImageMatchesPublished, parsePartDigests, partDigestsCommand } from '../../harness/scenario/checks/image-checks.js';
import type { BootContext } from '../../harness/scenario/define-scenario.js';

// The proof of delivery hashes parts of the guest's copy side by side; the host hashes the same parts.
let dir: string;
let file: string;
const size = 5 * 1024 * 1024 + 4321;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-digest-test-'));
  file = join(dir, 'copy.iso');
  await writeFile(file, Buffer.from(Array.from({ length: size }, (_, i) => (i * 2654435761) % 256)));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A copy of the file with one byte changed, 10 bytes before its end (in its last 4 MiB chunk). */
async function copyWithByteChanged(name: string): Promise<string> {
  const changed = join(dir, name);
  await execa('sh', ['-c', `cp ${file} ${changed} && printf 'X' | dd of=${changed} bs=1 seek=${size - 10} conv=notrunc status=none`]);
  return changed;
}

const bytes = (ranges: readonly ByteRange[]) => ranges.reduce((n, r) => n + r.end - r.start, 0);

describe('splitRanges', () => {
  it('cuts the kept ranges into parts of about equal bytes that cover them exactly, in order', () => {
    const ranges = keptRanges(size, [{ start: 0, end: 512 }, { start: 1_000_000, end: 1_000_100 }]);
    for (const count of [1, 2, 3, 4]) {
      const parts = splitRanges(ranges, count);
      expect(parts).toHaveLength(count);
      const flat = parts.flat();
      // Joined again, the parts are the ranges.
      const joined: ByteRange[] = [];
      for (const r of flat) {
        const last = joined.at(-1);
        if (last && last.end === r.start) last.end = r.end;
        else joined.push({ ...r });
      }
      expect(joined).toEqual(ranges);
      // Every part but the last holds its share rounded up; the last holds the rest, never more.
      const sizes = parts.map(bytes);
      const share = Math.ceil(bytes(ranges) / count);
      expect(sizes.slice(0, -1)).toEqual(Array(count - 1).fill(share));
      expect(sizes.at(-1)).toBeGreaterThan(0);
      expect(sizes.at(-1)).toBeLessThanOrEqual(share);
    }
  });

  it('gives fewer parts than asked when there are fewer bytes than parts', () => {
    expect(splitRanges([{ start: 0, end: 2 }], 4)).toEqual([[{ start: 0, end: 1 }], [{ start: 1, end: 2 }]]);
  });
});

describe('the guest command of the proof, run by a real shell over a file', () => {
  it('prints each part\'s md5 as the host computes it, whatever order the readers end in', async () => {
    const ranges = keptRanges(size, [{ start: 0, end: 512 }]);
    const parts = splitRanges(ranges, 3);
    const { stdout } = await execa('bash', ['-c', partDigestsCommand(file, parts)]);
    const guest = parsePartDigests(stdout, parts.length);
    const host = await Promise.all(parts.map((p) => digestRanges(file, p, 'md5')));
    expect(guest).toEqual(host);
    expect(new Set(host).size).toBe(3);
  });

  it('a part that printed nothing is undefined, and a changed byte changes its part\'s digest alone', async () => {
    expect(parsePartDigests('1 0123456789abcdef0123456789abcdef  -\n', 2)).toEqual([undefined, '0123456789abcdef0123456789abcdef']);
    const parts = splitRanges([{ start: 0, end: size }], 2);
    const before = parsePartDigests((await execa('bash', ['-c', partDigestsCommand(file, parts)])).stdout, 2);
    const changed = await copyWithByteChanged('changed.iso');
    const after = parsePartDigests((await execa('bash', ['-c', partDigestsCommand(changed, parts)])).stdout, 2);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });
});

describe("the proof's verdict on a copy, read by a real shell over files", () => {
  // The guest's shell, played by bash over a file: blockdev (util-linux's, for block devices only)
  // answers the file's size, as it answers a RAM disk's or a deploy disk's in the guest.
  const fileShell = {
    run: async (command: string) => ({ output: (await execa('bash', ['-c', `blockdev() { stat -c %s "$2"; }; ${command}`])).stdout, exitCode: 0 }),
  };
  const proveOn = async (copy: string) => {
    const context = { shell: async () => fileShell, iso: { hostPath: file, urlPath: '/image/copy.iso', sizeBytes: size, volumeId: 'CDROM' } } as unknown as BootContext;
    return liveImageMatchesPublished(copy, { deployed: false }).run(context);
  };

  it('the same bytes: delivered', async () => {
    expect(await proveOn(file)).toMatchObject({ ok: true, detail: expect.stringMatching(/^delivered, as the guest reads it: md5 /) });
  });

  it("a copy 3 MiB short (a RAM disk too small to hold the ISO): NOT delivered, naming the bytes the copy has no room for", async () => {
    const short = join(dir, 'short.iso');
    await execa('sh', ['-c', `head -c ${size - 3 * 1024 * 1024} ${file} > ${short}`]);
    const outcome = await proveOn(short);
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).toMatch(new RegExp(`^NOT delivered as published: the guest's copy has room for ${size - 3145728} bytes, 3145728 fewer than the ISO`));
  });

  it('a copy of full length with a byte changed: NOT delivered, the chunk that differs named, no shortfall', async () => {
    const changed = await copyWithByteChanged('changed-once.iso');
    const outcome = await proveOn(changed);
    expect(outcome.ok).toBe(false);
    expect(outcome.detail).not.toMatch(/has room for/);
    expect(outcome.detail).toMatch(/4 MiB chunks that differ: bytes 4194304-\d+$/);
  });
});
