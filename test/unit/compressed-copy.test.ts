import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressedCopy, fetchPathOf, startCompressedCopies } from '../../harness/publish/compressed-copy.js';
import { useTempHarnessCache } from '../helpers/temp-cache.js';

let dir: string;
const cache = useTempHarnessCache('pxe-xz-cache-');
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-xz-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('compressedCopy', () => {
  it('makes the xz copy once per ISO content, into the cache, which xz -d turns back into the file byte for byte', async () => {
    const original = Buffer.concat([Buffer.alloc(300_000, 1), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251))]);
    const source = join(dir, 'live.iso');
    await writeFile(source, original);
    const out = await compressedCopy(source, 'xz');
    const digest = createHash('sha256').update(original).digest('hex');
    expect(out).toBe(join(cache(), 'derived', `${digest}.iso.xz`));
    expect((await readFile(out)).subarray(0, 6)).toEqual(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]));
    const back = await execa('xz', ['-d', '--stdout', out], { encoding: 'buffer' });
    expect(Buffer.from(back.stdout).equals(original)).toBe(true);
    // The same content under another name (another run, another folder) finds the copy: it is not made again.
    const twin = join(dir, 'twin.iso');
    await copyFile(source, twin);
    const made = (await stat(out)).ino;
    expect(await compressedCopy(twin, 'xz')).toBe(out);
    expect((await stat(out)).ino).toBe(made);
    expect((await readdir(join(cache(), 'derived'))).filter((n) => n.includes('.part-'))).toEqual([]);
  });

  it('keeps the three copies used last', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const source = join(dir, `iso-${i}.iso`);
      await writeFile(source, Buffer.alloc(10_000, i + 10));
      made.push(await compressedCopy(source, 'xz'));
      await new Promise((r) => setTimeout(r, 20));
    }
    const left = await readdir(join(cache(), 'derived'));
    expect(left.sort()).toEqual(made.slice(-3).map((p) => basename(p)).sort());
  });

  it('a run that ends while its copy is made stops xz and leaves no part file; a copy pruned by another run is made again', async () => {
    const big = join(dir, 'big.iso');
    await execa('sh', ['-c', `head -c ${32 * 1024 * 1024} /dev/urandom > ${big}`]);
    const copies = startCompressedCopies(big, ['xz', undefined]);
    const derived = join(cache(), 'derived');
    for (let i = 0; i < 100 && !(await readdir(derived)).some((n) => n.includes('.part-')); i++) await new Promise((r) => setTimeout(r, 20));
    await copies.stop();
    // Stopped halfway: neither the part nor a copy under the final name.
    const digest = createHash('sha256').update(await readFile(big)).digest('hex');
    expect((await readdir(derived)).filter((n) => n.includes('.part-') || n.startsWith(digest))).toEqual([]);
    expect((await execa('pgrep', ['-f', `xz -0 -T0 --stdout -- ${big}`], { reject: false })).stdout).toBe('');
    // Made to the end, removed behind the process's back, asked again: made again.
    const out = await compressedCopy(big, 'xz');
    await rm(out);
    expect(await compressedCopy(big, 'xz')).toBe(out);
    expect((await stat(out)).size).toBeGreaterThan(32 * 1024 * 1024);
  }, 60_000);

  it('the boot entry fetches the copy beside the ISO, or the ISO itself when nothing is compressed', () => {
    expect(fetchPathOf('/image/live.iso', 'xz')).toBe('/image/live.iso.xz');
    expect(fetchPathOf('/image/live.iso')).toBe('/image/live.iso');
  });
});
