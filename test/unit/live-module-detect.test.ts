import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listInitrdFiles, readInitrd } from '../../harness/iso/initrd-files.js';
import { initrdHasModule } from '../../harness/iso/live-image-facts.js';
import { detectLiveModule } from '../../harness/live/index.js';
import { dmsquash } from '../../harness/live/dmsquash.js';
import { dracutVersion } from '../../harness/live/dracut.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';
import type { LiveImageFacts } from '../../harness/live/live-module.js';
import { cpio } from '../helpers/cpio.js';

const facts = (initrdFiles: string[], extra: Partial<LiveImageFacts> = {}): LiveImageFacts => ({ initrdFiles, isomd5Tag: false, ...extra });

describe('the initrd file list, read on the host', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'initrd-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads an uncompressed early archive, zero padding, then a gzip main archive', async () => {
    const early = cpio({ 'kernel/x86/microcode/GenuineIntel.bin': 'x' });
    const main = gzipSync(cpio({ 'usr/sbin/dmsquash-live-root': '#!/bin/sh', './usr/sbin/livenetroot': 'y' }));
    const path = join(dir, 'gz');
    await writeFile(path, Buffer.concat([early, Buffer.alloc(512), main]));
    expect(await listInitrdFiles(path)).toEqual(['kernel/x86/microcode/GenuineIntel.bin', 'usr/sbin/dmsquash-live-root', 'usr/sbin/livenetroot']);
  });

  it('decompresses a zstd main archive with the zstd tool', async () => {
    const raw = join(dir, 'raw');
    await writeFile(raw, cpio({ 'usr/sbin/kiwi-live-root': 'z' }));
    await execa('zstd', ['-q', '-f', raw, '-o', join(dir, 'zst')]);
    expect(await listInitrdFiles(join(dir, 'zst'))).toEqual(['usr/sbin/kiwi-live-root']);
  });

  it('keeps the contents of the files asked for (modules.builtin) in the same pass', async () => {
    const path = join(dir, 'builtin');
    await writeFile(path, gzipSync(cpio({ 'usr/lib/modules/7.2/modules.builtin': 'kernel/drivers/block/aoe/aoe.ko\nkernel/fs/ext4/ext4.ko\n', 'usr/lib/modules/7.2/modules.dep': 'x' })));
    const { names, contents } = await readInitrd(path, /modules\.builtin$/);
    expect(names).toEqual(['usr/lib/modules/7.2/modules.builtin', 'usr/lib/modules/7.2/modules.dep']);
    expect([...contents.keys()]).toEqual(['usr/lib/modules/7.2/modules.builtin']);
    expect(contents.get('usr/lib/modules/7.2/modules.builtin')!.toString()).toContain('aoe/aoe.ko');
  });

  it('a kernel module is there as a file (any compression) or built in, and not when only its folder or another module is', () => {
    const dir = 'usr/lib/modules/7.2/kernel/drivers/block/aoe';
    expect(initrdHasModule(facts([`${dir}/aoe.ko`]), 'aoe')).toBe(true);
    expect(initrdHasModule(facts([`${dir}/aoe.ko.zst`]), 'aoe')).toBe(true);
    expect(initrdHasModule(facts([], { builtinModules: ['kernel/drivers/block/aoe/aoe.ko'] }), 'aoe')).toBe(true);
    expect(initrdHasModule(facts([dir, 'usr/lib/modules/7.2/kernel/drivers/block/brd.ko', 'x/vaoe.ko']), 'aoe')).toBe(false);
    expect(initrdHasModule(facts([], { builtinModules: ['kernel/drivers/block/brd.ko'] }), 'aoe')).toBe(false);
  });

  it('names the file and its first bytes when the format is unknown', async () => {
    const path = join(dir, 'junk');
    await writeFile(path, Buffer.from('PK\x03\x04 not an initrd'));
    await expect(listInitrdFiles(path)).rejects.toThrow(/initrd .*junk: unknown archive format \(first bytes 504b0304\)/);
  });
});

describe('the live module, detected from the initrd', () => {
  const kiwi = ['usr/sbin/kiwi-live-root', 'var/lib/dracut/hooks/pre-udev/60-kiwi-live-net-genrules.sh'];
  const dm = ['usr/sbin/dmsquash-live-root', 'usr/sbin/livenetroot', 'usr/bin/checkisomd5'];

  it('picks the module whose files the initrd carries and says which file showed it', () => {
    expect(detectLiveModule('a.iso', facts(kiwi))).toMatchObject({ profile: kiwiLive, evidence: 'usr/sbin/kiwi-live-root in the initrd' });
    expect(detectLiveModule('a.iso', facts(dm)).profile).toBe(dmsquash);
  });

  it('refuses an override that the initrd contradicts, naming what it carries (exit 2)', () => {
    expect(() => detectLiveModule('a.iso', facts(kiwi), 'dmsquash')).toThrow(/--live-module dmsquash does not match ISO a\.iso: its initrd carries kiwi-live \(usr\/sbin\/kiwi-live-root\)/);
    try {
      detectLiveModule('a.iso', facts(kiwi), 'dmsquash');
    } catch (e) {
      expect((e as { kind: string }).kind).toBe('input');
    }
  });

  it('refuses an ISO with neither module, and a dmsquash initrd without livenet', () => {
    expect(() => detectLiveModule('b.iso', facts(['usr/bin/bash']))).toThrow(/ISO b\.iso has no live dracut module in its initrd: neither kiwi-live nor dmsquash-live/);
    expect(() => detectLiveModule('c.iso', facts(['usr/sbin/dmsquash-live-root']))).toThrow(/carries dmsquash but not dracut's livenet module/);
  });

  it('says what each module cannot do, which the runner turns into SKIP', () => {
    expect(dmsquash.unsupported({ persistent: { cowfs: 'xfs' } }, facts(dm), 'url')).toMatch(/does not support the automatic creation of a write partition/);
    expect(dmsquash.unsupported({ mediaCheck: true }, facts(dm), 'url')).toMatch(/no implantisomd5 checksum/);
    expect(dmsquash.unsupported({ mediaCheck: true }, facts(dm, { isomd5Tag: true }), 'url')).toBeUndefined();
    expect(kiwiLive.unsupported({ ramCopy: true }, facts(kiwi), 'url')).toMatch(/does not support this mode/);
    expect(kiwiLive.unsupported({ mediaCheck: true }, facts(kiwi), 'url')).toMatch(/checkmedia/);
    expect(kiwiLive.unsupported({ mediaCheck: true }, facts([...kiwi, 'usr/bin/checkmedia']), 'url')).toBeUndefined();
  });

  it('spells the same intent as each module\'s own options', () => {
    const url = 'http://10.0.2.100/image/x.iso';
    expect(dmsquash.kernelArgs({ kind: 'url', url }, { console: 'ttyS0', insecureTls: true, ramCopy: true, overlay: 'overlayfs', mediaCheck: true })).toEqual([
      'ip=dhcp', `root=live:${url}`, 'console=ttyS0', 'rd.noverifyssl', 'rd.live.ram', 'rd.live.overlay.overlayfs', 'rd.live.check',
    ]);
    expect(kiwiLive.kernelArgs({ kind: 'url', url }, { console: 'ttyS0', insecureTls: true, mediaCheck: true })).toEqual([
      'ip=dhcp', `root=live:${url}`, 'console=ttyS0', 'rd.kiwi.live.curl_options=--insecure', 'mediacheck',
    ]);
  });

  it("spell a persistent overlay store in the names of the ISO's dracut: rd.overlay from 110 on, rd.live.overlay before and when unknown; kiwi-live refuses it", () => {
    const url = { kind: 'url', url: 'http://10.0.2.100/image/x.iso' } as const;
    const store = { device: 'LABEL=p', path: '/LiveOS/o', reset: true, readonly: true, noPrompt: true };
    const tail = (args: string[]) => args.slice(3);
    expect(dracutVersion(['usr/lib/dracut/dracut-112-7', 'usr/lib/dracut/modules.txt'])).toEqual({ text: '112-7', major: 112 });
    expect(dracutVersion(['usr/lib/dracut/dracut-lib.sh'])).toBeUndefined();
    expect(tail(dmsquash.kernelArgs(url, { console: 'ttyS0', overlay: 'overlayfs', overlayStore: store }, facts([...dm, 'usr/lib/dracut/dracut-112-7'])))).toEqual([
      'rd.overlay=LABEL=p:/LiveOS/o', 'rd.overlay.reset', 'rd.overlay.readonly', 'rd.live.overlay.nouserconfirmprompt',
    ]);
    expect(tail(dmsquash.kernelArgs(url, { console: 'ttyS0', overlay: 'overlayfs', overlayStore: store }, facts([...dm, 'lib/dracut/dracut-059-3'])))).toEqual([
      'rd.live.overlay.overlayfs', 'rd.live.overlay=LABEL=p:/LiveOS/o', 'rd.live.overlay.reset', 'rd.live.overlay.readonly', 'rd.live.overlay.nouserconfirmprompt',
    ]);
    expect(tail(dmsquash.kernelArgs(url, { console: 'ttyS0', overlayStore: { device: '/dev/vda', path: '/o.img' } }))).toEqual(['rd.live.overlay=/dev/vda:/o.img']);
    expect(kiwiLive.unsupported({ overlayStore: store }, facts(kiwi), 'url')).toMatch(/^kiwi-live reads no rd.live.overlay=DEVICE:PATH/);
    expect(dmsquash.unsupported({ overlayStore: store }, facts(dm), 'url')).toBeUndefined();
  });

  it('spell an overlay size for their own code: dmsquash MiB (its device-mapper overlay only), kiwi-live tmpfs\'s size=', () => {
    const url = { kind: 'url', url: 'http://10.0.2.100/image/x.iso' } as const;
    expect(dmsquash.kernelArgs(url, { console: 'ttyS0', overlaySizeMiB: 256 }).slice(3)).toEqual(['rd.live.overlay.size=256']);
    expect(kiwiLive.kernelArgs(url, { console: 'ttyS0', overlaySizeMiB: 256 }).slice(3)).toEqual(['rd.live.overlay.size=256M']);
    expect(dmsquash.unsupported({ overlaySizeMiB: 256 }, facts(dm), 'url')).toBeUndefined();
    expect(dmsquash.unsupported({ overlaySizeMiB: 256, overlay: 'overlayfs' }, facts(dm), 'url')).toMatch(/sizes only the temporary device-mapper overlay/);
    expect(dmsquash.unsupported({ overlaySizeMiB: 256 }, facts(dm, { squashfs: { offsetBytes: 0, sizeBytes: 1, holdsRootfsImage: false } }), 'url')).toMatch(/sizes only/);
    expect(kiwiLive.unsupported({ overlaySizeMiB: 256 }, facts(kiwi), 'url')).toBeUndefined();
  });

  it("judge the URL's file name: dmsquash's livenet boots a download as an ISO only under a .iso name, kiwi-live under any", () => {
    expect(dmsquash.unsupported({ fetchFileName: 'live-image.img' }, facts(dm), 'url')).toMatch(/^livenet attaches a download as an ISO \(losetup\) only when its file name ends in \.iso, and this URL's is live-image\.img/);
    expect(dmsquash.unsupported({ fetchFileName: 'LIVE.ISO' }, facts(dm), 'url')).toBeDefined();
    expect(dmsquash.unsupported({ fetchFileName: 'live.iso' }, facts(dm), 'url')).toBeUndefined();
    expect(kiwiLive.unsupported({ fetchFileName: 'live-image.img' }, facts(kiwi), 'url')).toBeUndefined();
  });

  it('spell the ISO\'s source: a URL for both, an AoE target only for kiwi-live, which dmsquash refuses', () => {
    const aoe = { kind: 'aoe', shelf: 0, slot: 1 } as const;
    expect(kiwiLive.kernelArgs(aoe, { console: 'ttyS0' })).toEqual(['ip=dhcp', 'root=live:AOEINTERFACE=e0.1', 'console=ttyS0']);
    expect(kiwiLive.unsupported({}, facts(kiwi), 'aoe')).toBeUndefined();
    expect(dmsquash.unsupported({}, facts(dm), 'aoe')).toMatch(/^root=live:AOEINTERFACE= is kiwi-live's .* livenet's root=live:URL$/);
    expect(dmsquash.unsupported({}, facts(dm), 'url')).toBeUndefined();
    expect(() => dmsquash.kernelArgs(aoe, { console: 'ttyS0' })).toThrow(RangeError);
  });

  it('name the option that skips the certificate check, as their kernel options spell it', () => {
    const url = { kind: 'url', url: 'https://10.0.2.100/image/x.iso' } as const;
    expect(kiwiLive.insecureTlsOption).toBe('rd.kiwi.live.curl_options=--insecure');
    expect(dmsquash.insecureTlsOption).toBe('rd.noverifyssl');
    for (const module of [kiwiLive, dmsquash]) {
      expect(module.kernelArgs(url, { console: 'ttyS0', insecureTls: true })).toContain(module.insecureTlsOption);
      expect(module.kernelArgs(url, { console: 'ttyS0' })).not.toContain(module.insecureTlsOption);
    }
  });

  it('say where a RAM copy of the live root goes: dmsquash has one (rd.live.ram), kiwi-live none (and refuses ramCopy)', () => {
    expect(dmsquash.ramCopy).toEqual({ path: '/run/initramfs/squashed.img' });
    expect(kiwiLive.ramCopy).toBeUndefined();
    expect(kiwiLive.unsupported({ ramCopy: true }, facts(kiwi), 'url')).toBeDefined();
  });

  it('expects dmsquash\'s root on its device-mapper snapshot, or on overlayfs when asked or when the squashfs holds the tree', () => {
    const wrapped = facts(dm, { squashfs: { offsetBytes: 0, sizeBytes: 1, holdsRootfsImage: true } });
    const tree = facts(dm, { squashfs: { offsetBytes: 0, sizeBytes: 1, holdsRootfsImage: false } });
    expect(dmsquash.rootExpectation({}, wrapped).matches('ext4', '/dev/mapper/live-rw')).toBe(true);
    expect(dmsquash.rootExpectation({}, wrapped).matches('overlay', 'LiveOS_rootfs')).toBe(false);
    expect(dmsquash.rootExpectation({ overlay: 'overlayfs' }, wrapped).matches('overlay', 'LiveOS_rootfs')).toBe(true);
    expect(dmsquash.rootExpectation({}, tree).matches('overlay', 'LiveOS_rootfs')).toBe(true);
  });
});
