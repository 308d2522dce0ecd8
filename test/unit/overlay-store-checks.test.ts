import { describe, expect, it } from 'vitest';
import type { SerialShell } from '../../harness/console/serial-shell.js';
import { writableLayerInRam, writableLayerInStore } from '../../harness/scenario/checks/overlay-store-checks.js';
import type { BootContext } from '../../harness/scenario/define-scenario.js';

// The guest's answers are the ones measured on dracut 112's dmsquash (a device-mapper snapshot in
// a file, an overlayfs upper folder, a temporary tmpfs upper); the checks judge them.
const STORE = { device: 'LABEL=pxe-overlay', path: '/LiveOS/overlay.img' };

/** A guest whose commands answer by their first word (findfs, findmnt, t=, dmsetup, losetup). */
function context(answers: Record<string, string>, overlayStore: typeof STORE | null = STORE): BootContext {
  const shell = {
    run: async (command: string) => {
      const key = Object.keys(answers).find((k) => command.startsWith(k));
      return { command, exitCode: key ? 0 : 1, output: key ? answers[key]! : '' };
    },
  } as unknown as SerialShell;
  return { shell: async () => shell, liveOptions: overlayStore ? { overlayStore } : {} } as unknown as BootContext;
}

const snapshot = {
  'd=$(findfs': '/dev/vda 253:0',
  findmnt: 'ext4 /dev/mapper/live-rw rw,relatime',
  dmsetup: '0 714752 snapshot 7:2 7:3 PO 8',
  losetup: '7:1 0:30 /tmp/pxe-fixture.iso\n7:2 7:1 /run/initramfs/live/LiveOS/rootfs.img\n7:3 253:0 /run/initramfs/overlayfs/LiveOS/overlay.img',
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
