import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressedCopy, fetchPathOf } from '../../harness/publish/compressed-copy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-xz-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('compressedCopy', () => {
  it('writes NAME.xz beside nothing else, which xz -d turns back into the file byte for byte', async () => {
    const original = Buffer.concat([Buffer.alloc(300_000, 1), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251))]);
    const source = join(dir, 'live.iso');
    await writeFile(source, original);
    const out = await compressedCopy(source, dir, 'xz');
    expect(out).toBe(join(dir, 'live.iso.xz'));
    expect((await readFile(out)).subarray(0, 6)).toEqual(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    const back = await execa('xz', ['-d', '--stdout', out], { encoding: 'buffer' });
    expect(Buffer.from(back.stdout).equals(original)).toBe(true);
  });

  it('the boot entry fetches the copy beside the ISO, or the ISO itself when nothing is compressed', () => {
    expect(fetchPathOf('/image/live.iso', 'xz')).toBe('/image/live.iso.xz');
    expect(fetchPathOf('/image/live.iso')).toBe('/image/live.iso');
  });
});
