import { DEFAULT_ARCHITECTURE } from '../../harness/arch/index.js';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NETBOOT_LOADERS, type NetbootLoader } from '../../harness/netboot/index.js';
import type { NetbootContext } from '../../harness/netboot/netboot-loader.js';
import { readIsoBootFacts } from '../../harness/iso/boot-facts.js';
import { tinyLiveIso } from '../helpers/cpio.js';
import { renderIpxeScript } from '../../harness/netboot/ipxe-script.js';
import { bootFilesOverHttp, type BootContext } from '../../harness/scenario/index.js';
import { packageRoot } from '../../harness/util/package-root.js';
import { getThrough } from '../helpers/publisher-sockets.js';

let dir: string;
let loaderFiles: { kernelPath: string; initrdPath: string };
let iso: NetbootContext['iso'];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-netboot-loaders-'));
  // An ISO with a shim chain in /EFI/BOOT, for the loaders that boot the ISO's own programs.
  const path = await tinyLiveIso(dir, 'signed', { efiBoot: { 'bootx64.efi': 'SHIM-BYTES', 'grubx64.efi': 'GRUB-BYTES' } });
  iso = { path, boot: await readIsoBootFacts(path) };
  loaderFiles = { kernelPath: join(dir, 'linux'), initrdPath: join(dir, 'initrd') };
  await writeFile(loaderFiles.kernelPath, 'KERNEL-BYTES');
  await writeFile(loaderFiles.initrdPath, 'INITRD-BYTES');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Lays out a loader as a boot would; stop() ends its servers. */
async function prepare(loader: NetbootLoader) {
  const runtimeDir = join(dir, loader.id);
  const undo: (() => unknown)[] = [];
  const prepared = await loader.prepare({ runtimeDir, artifactsDir: runtimeDir, loaderFiles, iso, arch: DEFAULT_ARCHITECTURE, kernelArgs: ['ip=dhcp'], onTeardown: (_n, fn) => undo.push(fn) });
  return { prepared, stop: async () => { for (const fn of undo.reverse()) await fn(); } };
}

const exists = (path: string) => stat(path).then(() => true, () => false);

describe.each(NETBOOT_LOADERS.map((l) => [l.id, l] as const))('netboot loader %s', (_id, loader) => {
  it('declares the boot files its entry names, and serves them there', async () => {
    const { prepared, stop } = await prepare(loader);
    try {
      const entry = await readFile(prepared.entry.path, 'utf8');
      const { kernel, initrd } = prepared.bootFilePaths;
      // The entry names them, as paths from the TFTP root (a relative name there) or on the boot-file server.
      for (const path of [kernel, initrd]) expect(entry).toContain(path.slice(1));
      if (prepared.bootFiles) {
        expect((await getThrough(prepared.forwards[0]!.hostSocket, kernel)).body).toBe('KERNEL-BYTES');
        // The server logs a transfer once its connection has ended, a moment after the body arrived.
        const log = prepared.bootFiles;
        await vi.waitFor(() => expect(log.transfers.map((t) => t.path)).toEqual([kernel]), { timeout: 5_000 });
      } else {
        expect(await readFile(join(prepared.tftpRoot, kernel), 'utf8')).toBe('KERNEL-BYTES');
        expect(await readFile(join(prepared.tftpRoot, initrd), 'utf8')).toBe('INITRD-BYTES');
      }
    } finally {
      await stop();
    }
  });

  it('withholds the files it serves from its TFTP root, and refuses the ones it does not', async () => {
    const { prepared, stop } = await prepare(loader);
    try {
      if (/^https?:\/\//.test(prepared.bootfile)) {
        // UEFI HTTP boot: the boot file is a URL of the boot-file server, there is no TFTP root to take it from.
        await expect(prepared.withhold('boot-program')).rejects.toThrow(/^netbootFault: this loader serves no boot-program from a TFTP root/);
        return;
      }
      const bootProgram = join(prepared.tftpRoot, prepared.bootfile);
      expect(await exists(bootProgram)).toBe(true);
      await prepared.withhold('boot-program');
      expect(await exists(bootProgram)).toBe(false);
      if (prepared.bootFiles) {
        await expect(prepared.withhold('kernel')).rejects.toThrow(new RangeError('netbootFault: this loader serves no kernel from its TFTP root'));
      } else {
        await prepared.withhold('initrd');
        expect(await exists(join(prepared.tftpRoot, prepared.bootFilePaths.initrd))).toBe(false);
        expect(await exists(join(prepared.tftpRoot, prepared.bootFilePaths.kernel))).toBe(true);
      }
    } finally {
      await stop();
    }
  });
});

describe('netboot loader files', () => {
  it('import no other loader: what loaders share is in loader-neutral files', async () => {
    const folder = join(packageRoot(), 'harness', 'netboot');
    const files = (await readdir(folder)).filter((f) => f.endsWith('.ts'));
    const sources = new Map(await Promise.all(files.map(async (f) => [f, await readFile(join(folder, f), 'utf8')] as const)));
    const loaderFiles = files.filter((f) => /: NetbootLoader = \{/.test(sources.get(f)!));
    expect(loaderFiles.length).toBeGreaterThanOrEqual(3);
    for (const file of loaderFiles) {
      const imported = [...sources.get(file)!.matchAll(/from '\.\/([\w-]+)\.js'/g)].map((m) => `${m[1]}.ts`);
      expect({ file, imports: imported.filter((i) => loaderFiles.includes(i)) }).toEqual({ file, imports: [] });
    }
  });
});

describe('the iPXE script', () => {
  it('loads kernel and initrd from the boot-file server with the entry\'s options, naming the initrd for an EFI kernel', () => {
    expect(renderIpxeScript('http://10.0.2.100:8080', ['ip=dhcp', 'root=live:http://10.0.2.100/image/x.iso'])).toBe([
      '#!ipxe',
      'echo pxe-harness: iPXE loads boot/linux',
      'kernel http://10.0.2.100:8080/boot/linux initrd=initrd ip=dhcp root=live:http://10.0.2.100/image/x.iso',
      'echo pxe-harness: iPXE loads boot/initrd',
      'initrd --name initrd http://10.0.2.100:8080/boot/initrd',
      'boot',
      '',
    ].join('\n'));
    expect(() => renderIpxeScript('http://h', ['a b'])).toThrow(/one word without spaces/);
  });
});

describe('the boot-file check reads the paths from the loader of the boot', () => {
  const transfer = (path: string, complete = true) => ({ protocol: 'http' as const, method: 'GET', path, status: 200, complete, outcome: complete ? ('whole' as const) : ('partial' as const), bytesSent: 1, sizeBytes: 1, startedAtMs: 0, durationMs: 1, client: 'c' });
  const context = (bootFileTransfers: ReturnType<typeof transfer>[], netboot?: BootContext['netboot']) =>
    ({ bootFileTransfers, ...(netboot ? { netboot } : {}) }) as unknown as BootContext;
  const netboot = { loaderId: 'some-loader', bootFilePaths: { kernel: '/k/vmlinuz', initrd: '/k/initrd.img' } };

  it('holds when each path the loader declared came once and whole', async () => {
    const check = bootFilesOverHttp();
    expect(check.name).toBe("the netboot loader loaded the kernel and the initrd from the harness's boot-file server, each once and whole");
    expect((await check.run(context([transfer('/k/vmlinuz'), transfer('/k/initrd.img')], netboot))).ok).toBe(true);
  });

  it('does not hold for other paths, a cut transfer, or a boot without a loader', async () => {
    const check = bootFilesOverHttp();
    expect((await check.run(context([transfer('/boot/linux'), transfer('/boot/initrd')], netboot))).ok).toBe(false);
    expect((await check.run(context([transfer('/k/vmlinuz'), transfer('/k/initrd.img', false)], netboot))).ok).toBe(false);
    expect(await check.run(context([]))).toEqual({ ok: false, detail: 'no boot file was fetched from the boot-file server' });
  });
});
