import { describe, expect, it } from 'vitest';
import type { SerialShell } from '../../harness/console/serial-shell.js';
import { writableLayerInRam, writableLayerInStore, writableLayerSize, writeFailsPastLayer } from '../../harness/scenario/checks/overlay-store-checks.js';
import type { BootContext } from '../../harness/scenario/define-scenario.js';

// The guest's answers are the ones measured on dracut 112's dmsquash (a device-mapper snapshot in
// a file, an overlayfs upper folder, a temporary tmpfs upper); the checks judge them.
const STORE = { device: 'LABEL=pxe-overlay', path: '/LiveOS/overlay.img' };

/** A guest whose commands answer by their first word (findfs, findmnt, t=, dmsetup, losetup). */
function context(answers: Record<string, string>, overlayStore: typeof STORE | null = STORE, overlaySizeMiB?: number): BootContext {
  const shell = {
    run: async (command: string) => {
      const key = Object.keys(answers).find((k) => command.startsWith(k));
      return { command, exitCode: key ? 0 : 1, output: key ? answers[key]! : '' };
    },
  } as unknown as SerialShell;
  return { shell: async () => shell, live: { overlaySizeUnit: { bytes: 1, readIn: 'tmpfs size=' } }, liveOptions: { ...(overlayStore ? { overlayStore } : {}), ...(overlaySizeMiB ? { overlaySizeMiB } : {}) } } as unknown as BootContext;
}

const snapshot = {
  'd=$(findfs': '/dev/vda 253:0',
  findmnt: 'ext4 /dev/mapper/live-rw rw,relatime',
  dmsetup: '0 714752 snapshot 7:2 7:3 PO 8',
  losetup: '7:1 0:30 /tmp/pxe-fixture.iso /dev/loop1\n7:2 7:1 /run/initramfs/live/LiveOS/rootfs.img /dev/loop2\n7:3 253:0 /run/initramfs/overlayfs/LiveOS/overlay.img /dev/loop3',
  blockdev: '536870912',
};

describe('the writable layer of /, from the root mount down to its block device', () => {
  it('a device-mapper snapshot whose exception store is a loop over the store file on the store disk: in the store', async () => {
    const outcome = await writableLayerInStore().run(context(snapshot));
    expect(outcome).toEqual({ ok: true, detail: expect.stringMatching(/exception store loop 7:3 over \/run\/initramfs\/overlayfs\/LiveOS\/overlay.img, on device 253:0; the store .* is \/dev\/vda \(253:0\)$/) });
  });

  it('the same snapshot over a file on another device, or another file: not in the store', async () => {
    expect((await writableLayerInStore().run(context({ ...snapshot, 'd=$(findfs': '/dev/vdb 253:16' }))).ok).toBe(false);
    expect((await writableLayerInStore().run(context({ ...snapshot, losetup: '7:3 253:0 /run/initramfs/overlayfs/elsewhere.img' }))).ok).toBe(false);
  });

  it('overlayfs with its upper folder on the store disk: in the store; with a tmpfs upper: in RAM, not in the store', async () => {
    const upper = (target: string, majMin: string) => ({
      'd=$(findfs': '/dev/vda 253:0',
      findmnt: 'overlay LiveOS_rootfs rw,lowerdir=/run/rootfsbase,upperdir=/run/overlayfs,workdir=/run/ovlwork',
      't=$(readlink': `${target}\n${majMin}`,
    });
    const folder = { device: 'LABEL=pxe-overlay', path: '/LiveOS/overlayfs' };
    expect((await writableLayerInStore().run(context(upper('/run/initramfs/overlayfs/LiveOS/overlayfs', '253:0'), folder))).ok).toBe(true);
    const tmpfs = context(upper('/run/initramfs/overlay/overlayfs', '0:26'), folder);
    expect(await writableLayerInStore().run(tmpfs)).toMatchObject({ ok: false, detail: expect.stringContaining('on device 0:26') });
    expect((await writableLayerInRam().run(tmpfs)).ok).toBe(true);
    expect((await writableLayerInRam().run(context(snapshot))).ok).toBe(false);
  });

  it('a root that is neither, or a boot that asks for no store: NO, saying which', async () => {
    expect(await writableLayerInStore().run(context({ 'd=$(findfs': '/dev/vda 253:0', findmnt: 'ext4 /dev/sda1 rw' }))).toMatchObject({ ok: false, detail: expect.stringMatching(/^\/ is neither overlayfs nor a device-mapper snapshot/) });
    expect(await writableLayerInStore().run(context(snapshot, null))).toEqual({ ok: false, detail: 'the boot asks for no overlay store (live.overlayStore)' });
    expect((await writableLayerInStore(STORE).run(context(snapshot, null))).ok).toBe(true);
  });
});

describe("the writable layer's room, and a write past it", () => {
  const tmpfsUpper = (sizeBytes: number, fill: string) => ({
    findmnt: 'overlay overlay rw,lowerdir=/run/overlay/rootfsbase,upperdir=/run/overlay/overlayfs/rw,workdir=/run/overlay/overlayfs/work',
    't=$(readlink': `/run/overlay/overlayfs/rw\n0:40\n${sizeBytes}`,
    out: fill,
  });
  const MIB = 1024 ** 2;

  it('the room is what the boot asked for, to the byte: a snapshot store of 512 MiB, a tmpfs of 256 MiB', async () => {
    expect((await writableLayerSize().run(context(snapshot, null, 512))).ok).toBe(true);
    expect((await writableLayerSize().run(context(tmpfsUpper(256 * MIB, ''), null, 256))).ok).toBe(true);
    const bytes = await writableLayerSize().run(context(tmpfsUpper(4096, ''), null, 256));
    expect(bytes).toEqual({ ok: false, detail: expect.stringMatching(/^4096 bytes = 0\.00 MiB .*; expected 268435456 bytes: asked for 256 MiB$/) });
    expect((await writableLayerSize().run(context(tmpfsUpper(4096, ''), null))).ok, 'no size asked: reported only').toBe(true);
    // A bare 256 as the module's code reads it (here tmpfs: bytes), rounded up to a page.
    expect((await writableLayerSize({ bareNumber: 256 }).run(context(tmpfsUpper(4096, ''), null))).ok).toBe(true);
    expect((await writableLayerSize({ bareNumber: 256 }).run(context(tmpfsUpper(256 * MIB, ''), null))).ok).toBe(false);
  });

  it('past a tmpfs upper: ENOSPC, then writable again; past a snapshot: the write fails and the snapshot says Overflow', async () => {
    const full = 'dd: error writing \'/root/pxe-harness-fill\': No space left on device\ndd status 1\nafter';
    expect((await writeFailsPastLayer().run(context(tmpfsUpper(256 * MIB, full), null))).ok).toBe(true);
    expect((await writeFailsPastLayer().run(context(tmpfsUpper(256 * MIB, '272+0 records out\ndd status 0\nafter'), null))).ok, 'the write went through').toBe(false);
    const overflow = { ...snapshot, df: '1073741824', dmesg: 'dd: error writing: Input/output error\ndd status 1\n0 714752 snapshot Overflow' };
    expect((await writeFailsPastLayer().run(context(overflow, null))).ok).toBe(true);
    expect((await writeFailsPastLayer().run(context({ ...overflow, dmesg: 'dd status 1\n0 714752 snapshot Invalid' }, null))).ok, 'invalidated, not the documented overflow').toBe(false);
    // A root file system with less room than the snapshot: the write would stop at ENOSPC first, proving nothing of the layer.
    expect(await writeFailsPastLayer().run(context({ ...overflow, df: String(90 * MIB) }, null))).toEqual({ ok: false, detail: expect.stringMatching(/^\/ has 90 MiB free, less than the 528 MiB that would overflow/) });
  });
});
