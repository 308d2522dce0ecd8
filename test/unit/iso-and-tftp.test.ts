import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../../harness/errors.js';
import { inspectIso } from '../../harness/iso/iso-image.js';
import { extractLoaderFiles } from '../../harness/iso/loader-files.js';
import { liveBootArgs, renderPxelinuxConfig } from '../../harness/tftp/pxelinux-config.js';
import { createTftpRoot } from '../../harness/tftp/tftp-root.js';

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
  });

  it('extracts linux and initrd byte for byte', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out'));
    expect(await readFile(files.kernelPath, 'utf8')).toBe('KERNEL-BYTES');
    expect((await readFile(files.initrdPath)).equals(Buffer.alloc(100_000, 3))).toBe(true);
  });

  it('refuses an ISO without the loader files, naming the ISO and the file', async () => {
    const error = await inputErrorOf(extractLoaderFiles(bareIso, join(dir, 'out-bare')));
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

  it('refuses a missing file and a directory', async () => {
    expect((await inputErrorOf(inspectIso(join(dir, 'nope.iso')))).message).toContain('nope.iso cannot be read');
    expect((await inputErrorOf(inspectIso(dir))).message).toContain('is not a regular file');
  });
});

describe('pxelinux config', () => {
  it('has the seed\'s form: kernel boot/linux, append initrd=boot/initrd ip=dhcp root=live:URL', () => {
    const config = renderPxelinuxConfig({
      label: 'Live-Boot',
      kernel: 'boot/linux',
      initrd: 'boot/initrd',
      kernelArgs: liveBootArgs('ftp://10.0.2.100/image/live.iso', ['rd.kiwi.live.system=/dev/sda']),
    });
    expect(config).toContain('LABEL Live-Boot\n    kernel boot/linux\n');
    expect(config).toContain(
      '    append initrd=boot/initrd ip=dhcp root=live:ftp://10.0.2.100/image/live.iso console=ttyS0 rd.kiwi.live.system=/dev/sda\n',
    );
    expect(config).toMatch(/^DEFAULT Live-Boot$/m);
  });

  it('with a loader URL: lpxelinux.0 and a config that loads kernel and initrd over http, no files of its own', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out3'));
    const root = await createTftpRoot(join(dir, 'tftp-http'), files, liveBootArgs('http://10.0.2.100/image/live.iso'), { loaderBaseUrl: 'http://10.0.2.100:8080' });
    expect(root.bootfile).toBe('lpxelinux.0');
    expect((await stat(join(root.dir, 'lpxelinux.0'))).size).toBeGreaterThan(0);
    await expect(stat(join(root.dir, 'boot'))).rejects.toThrow();
    expect(root.config).toContain('    kernel http://10.0.2.100:8080/boot/linux\n');
    expect(root.config).toContain('    append initrd=http://10.0.2.100:8080/boot/initrd ip=dhcp root=live:http://10.0.2.100/image/live.iso');
  });

  it('refuses a kernel argument with a space in it', () => {
    expect(() => renderPxelinuxConfig({ label: 'x', kernel: 'k', initrd: 'i', kernelArgs: ['a b'] })).toThrow(/"a b"/);
  });

  it('lays out a TFTP root with pxelinux.0, ldlinux.c32, the loader files and the config', async () => {
    const files = await extractLoaderFiles(liveIso, join(dir, 'out2'));
    const root = await createTftpRoot(join(dir, 'tftp'), files, liveBootArgs('http://10.0.2.100/image/live.iso'));
    for (const f of ['pxelinux.0', 'ldlinux.c32', 'boot/linux', 'boot/initrd', 'pxelinux.cfg/default']) {
      expect((await stat(join(root.dir, f))).size).toBeGreaterThan(0);
    }
    expect(await readFile(join(root.dir, 'pxelinux.cfg/default'), 'utf8')).toBe(root.config);
    expect(await readFile(join(root.dir, 'boot/linux'), 'utf8')).toBe('KERNEL-BYTES');
  });
});
