import { appendFile, copyFile, mkdir, mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HarnessError } from '../../harness/errors.js';
import { inspectIso } from '../../harness/iso/iso-image.js';
import { extractLoaderFiles } from '../../harness/iso/loader-files.js';
import { DEFAULT_ARCHITECTURE } from '../../harness/arch/index.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';
import { netbootLoaderFor, type LoaderTransport } from '../../harness/netboot/index.js';
import { renderPxelinuxConfig } from '../../harness/netboot/pxelinux-config.js';
import { getThrough } from '../helpers/publisher-sockets.js';

const LOADER = DEFAULT_ARCHITECTURE.loaderLocations;
const url = (u: string) => ({ kind: 'url' as const, url: u });

/** Lays out the BIOS netboot root of a transport as a boot would; the returned undo stops its servers. */
async function layOut(transport: LoaderTransport, runtimeDir: string, kernelArgs: string[], loaderFiles: { kernelPath: string; initrdPath: string }) {
  const undo: (() => unknown)[] = [];
  const prepared = await netbootLoaderFor('bios', transport).prepare({ runtimeDir, artifactsDir: runtimeDir, loaderFiles, iso: { path: '/nonexistent.iso', boot: { partitionTable: 'none', efiSystemPartition: false } }, arch: DEFAULT_ARCHITECTURE, kernelArgs, onTeardown: (_n, fn) => undo.push(fn) });
  const config = await readFile(prepared.entry.path, 'utf8');
  return { prepared, config, stop: async () => { for (const fn of undo.reverse()) await fn(); } };
}

// A small ISO made here with xorriso, laid out like a KIWI live ISO's loader directory.
let dir: string;
let liveIso: string;
let bareIso: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-iso-test-'));
  const tree = join(dir, 'tree');
  await mkdir(join(tree, 'boot/x86_64/loader'), { recursive: true });
  await writeFile(join(tree, 'boot/x86_64/loader/linux'), 'KERNEL-BYTES');
  await writeFile(join(tree, 'boot/x86_64/loader/initrd'), Buffer.alloc(100_000, 3));
  liveIso = join(dir, 'live.iso');
  await execa('xorriso', ['-as', 'mkisofs', '-V', 'TESTLIVE', '-o', liveIso, tree]);
  const bare = join(dir, 'bare');
  await mkdir(bare);
  await writeFile(join(bare, 'readme.txt'), 'no loader here');
  bareIso = join(dir, 'bare.iso');
  await execa('xorriso', ['-as', 'mkisofs', '-V', 'BARE', '-o', bareIso, bare]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function inputErrorOf(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(HarnessError);
  expect((error as HarnessError).kind).toBe('input');
  return error as HarnessError;
}

describe('ISO', () => {
  it('reads the volume id and size without mounting', async () => {
    const info = await inspectIso(liveIso);
    expect(info.volumeId).toBe('TESTLIVE');
    expect(info.sizeBytes).toBe((await stat(liveIso)).size);
    expect(info.declaredBytes).toBe(info.sizeBytes);
  });

  it('extracts linux and initrd byte for byte', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out'), LOADER, DEFAULT_ARCHITECTURE.id);
    expect(await readFile(files.kernelPath, 'utf8')).toBe('KERNEL-BYTES');
    expect((await readFile(files.initrdPath)).equals(Buffer.alloc(100_000, 3))).toBe(true);
  });

  it('refuses an ISO without the loader files, naming the ISO and the file', async () => {
    const error = await inputErrorOf(extractLoaderFiles(bareIso, join(dir, 'out-bare'), LOADER, DEFAULT_ARCHITECTURE.id));
    expect(error.message).toContain(bareIso);
    expect(error.message).toContain('/boot/x86_64/loader/linux');
  });

  it('refuses a file that is not an ISO', async () => {
    const fake = join(dir, 'fake.iso');
    await writeFile(fake, Buffer.alloc(64 * 1024, 0));
    const error = await inputErrorOf(inspectIso(fake));
    expect(error.message).toMatch(/fake\.iso is not an ISO 9660 image/);
    expect(error.context.fix).toBeTruthy();
  });

  it('refuses an ISO cut short as truncated, naming the file, the declared and the actual size, not as "no loader"', async () => {
    // The loader files at the start (an ISO cut after them would still pass the loader check),
    // then 3 MB of data, the whole cut to 60 %.
    const cut = join(dir, 'cut.iso');
    const tree = join(dir, 'tree-big');
    await mkdir(join(tree, 'boot/x86_64/loader'), { recursive: true });
    await writeFile(join(tree, 'boot/x86_64/loader/linux'), 'KERNEL-BYTES');
    await writeFile(join(tree, 'boot/x86_64/loader/initrd'), Buffer.alloc(100_000, 3));
    await writeFile(join(tree, 'zz-squashfs'), Buffer.alloc(3_000_000, 7));
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'BIG', '-o', cut, tree]);
    const whole = (await stat(cut)).size;
    const kept = Math.floor(whole * 0.6);
    await truncate(cut, kept);
    const error = await inputErrorOf(inspectIso(cut));
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB (${n} bytes)`;
    expect(error.message).toBe(`ISO ${cut} is truncated: its volume descriptor declares ${mib(whole)}, the file has ${mib(kept)}`);
    expect(error.context.input).toBe(cut);
    expect(error.context.fix).toBe('download or copy the ISO again');
    // One byte short is truncated too.
    await copyFile(liveIso, join(dir, 'short.iso'));
    await truncate(join(dir, 'short.iso'), (await stat(liveIso)).size - 1);
    expect((await inputErrorOf(inspectIso(join(dir, 'short.iso')))).message).toContain('is truncated');
  });

  it('takes an ISO longer than its volume (padding, a hybrid ISO\'s appended partitions)', async () => {
    const padded = join(dir, 'padded.iso');
    await copyFile(liveIso, padded);
    await appendFile(padded, Buffer.alloc(1024 * 1024, 0));
    const info = await inspectIso(padded);
    expect(info.volumeId).toBe('TESTLIVE');
    expect(info.declaredBytes).toBe((await stat(liveIso)).size);
    expect(info.sizeBytes).toBe(info.declaredBytes + 1024 * 1024);
  });

  it('refuses a volume descriptor whose both-endian size fields disagree as damaged', async () => {
    const damaged = join(dir, 'damaged.iso');
    await copyFile(liveIso, damaged);
    const handle = await open(damaged, 'r+');
    try {
      // The big-endian half of the volume space size (bytes 84-87 of the descriptor in sector 16).
      await handle.write(Buffer.from([0, 0, 0, 1]), 0, 4, 16 * 2048 + 84);
    } finally {
      await handle.close();
    }
    const error = await inputErrorOf(inspectIso(damaged));
    expect(error.message).toBe(`ISO ${damaged} has a damaged primary volume descriptor (its volume size fields disagree or are zero)`);
    expect(error.context.fix).toBe('download or copy the ISO again');
  });

  it('refuses a missing file and a directory', async () => {
    expect((await inputErrorOf(inspectIso(join(dir, 'nope.iso')))).message).toContain('nope.iso cannot be read');
    expect((await inputErrorOf(inspectIso(dir))).message).toContain('is not a regular file');
  });
});

describe('kiwi-live kernel options', () => {
  it("spell the seed's persistent deploy exactly as documented, after the seed's network entry", () => {
    const args = kiwiLive.kernelArgs(url('ftp://10.0.2.100/image/live.iso'), { console: 'ttyS0', ramdiskSizeKiB: 3545728, system: '/dev/sda', persistent: { cowfs: 'xfs' } });
    expect(args.join(' ')).toBe(
      'ip=dhcp root=live:ftp://10.0.2.100/image/live.iso console=ttyS0 ramdisk_size=3545728 rd.kiwi.live.system=/dev/sda rd.live.overlay.persistent rd.live.overlay.cowfs=xfs',
    );
  });
  it('add reset and the seed\'s curl options for https only when asked', () => {
    expect(kiwiLive.kernelArgs(url('u'), { console: 'ttyS0' })).toEqual(['ip=dhcp', 'root=live:u', 'console=ttyS0']);
    expect(kiwiLive.kernelArgs(url('u'), { console: 'ttyS0', system: '/dev/sda', reset: true, insecureTls: true }).slice(3)).toEqual([
      'rd.kiwi.live.system=/dev/sda', 'rd.kiwi.live.reset', 'rd.kiwi.live.curl_options=--insecure',
    ]);
  });
});

describe('pxelinux config', () => {
  it('has the seed\'s form: kernel boot/linux, append initrd=boot/initrd ip=dhcp root=live:URL', () => {
    const config = renderPxelinuxConfig({
      label: 'Live-Boot',
      kernel: 'boot/linux',
      initrd: 'boot/initrd',
      kernelArgs: kiwiLive.kernelArgs(url('ftp://10.0.2.100/image/live.iso'), { console: 'ttyS0', system: '/dev/sda' }),
    });
    expect(config).toContain('LABEL Live-Boot\n    kernel boot/linux\n');
    expect(config).toContain(
      '    append initrd=boot/initrd ip=dhcp root=live:ftp://10.0.2.100/image/live.iso console=ttyS0 rd.kiwi.live.system=/dev/sda\n',
    );
    expect(config).toMatch(/^DEFAULT Live-Boot$/m);
  });

  it('over http: lpxelinux.0, a boot-file server on guest port 8080 that serves the loader files, and a config that loads them from it', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out3'), LOADER, DEFAULT_ARCHITECTURE.id);
    const root = await layOut('http', join(dir, 'net-http'), kiwiLive.kernelArgs(url('http://10.0.2.100/image/live.iso'), { console: 'ttyS0' }), files);
    try {
      expect(root.prepared.bootfile).toBe('lpxelinux.0');
      expect((await stat(join(root.prepared.tftpRoot, 'lpxelinux.0'))).size).toBeGreaterThan(0);
      await expect(stat(join(root.prepared.tftpRoot, 'boot'))).rejects.toThrow();
      expect(root.config).toContain('    kernel http://10.0.2.100:8080/boot/linux\n');
      expect(root.config).toContain('    append initrd=http://10.0.2.100:8080/boot/initrd ip=dhcp root=live:http://10.0.2.100/image/live.iso');
      expect(root.prepared.forwards).toEqual([expect.objectContaining({ guestAddress: '10.0.2.100', guestPort: 8080 })]);
      const served = await getThrough(root.prepared.forwards[0]!.hostSocket, '/boot/linux');
      expect(served.body).toBe('KERNEL-BYTES');
      // The server logs a transfer once its connection has ended, a moment after the body arrived.
      const log = root.prepared.bootFiles;
      await vi.waitFor(() => expect(log?.transfers.map((t) => [t.path, t.complete])).toEqual([['/boot/linux', true]]), { timeout: 5_000 });
    } finally {
      await root.stop();
    }
  });

  it('refuses a kernel argument with a space in it', () => {
    expect(() => renderPxelinuxConfig({ label: 'x', kernel: 'k', initrd: 'i', kernelArgs: ['a b'] })).toThrow(/"a b"/);
  });

  it('over tftp: a root with pxelinux.0, ldlinux.c32, the loader files and the config', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out2'), LOADER, DEFAULT_ARCHITECTURE.id);
    const root = await layOut('tftp', join(dir, 'net-tftp'), kiwiLive.kernelArgs(url('http://10.0.2.100/image/live.iso'), { console: 'ttyS0' }), files);
    for (const f of ['pxelinux.0', 'ldlinux.c32', 'boot/linux', 'boot/initrd', 'pxelinux.cfg/default']) {
      expect((await stat(join(root.prepared.tftpRoot, f))).size).toBeGreaterThan(0);
    }
    expect(root.prepared.bootfile).toBe('pxelinux.0');
    expect(root.prepared.forwards).toEqual([]);
    expect(await readFile(join(root.prepared.tftpRoot, 'boot/linux'), 'utf8')).toBe('KERNEL-BYTES');
    expect(root.config).toContain('ip=dhcp root=live:http://10.0.2.100/image/live.iso console=ttyS0');
  });
});
