import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SerialShell } from '../../harness/console/serial-shell.js';
import { dmsquash } from '../../harness/live/dmsquash.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';
import type { LiveModuleProfile } from '../../harness/live/live-module.js';
import { liveRootCopiedToRam } from '../../harness/scenario/checks/live-module-checks.js';
import type { BootContext } from '../../harness/scenario/define-scenario.js';

// The RAM copy check reads where the copy is from the live module's profile, not from the check.
let dir: string;
let isoPath: string;
const squashfs = Buffer.from('SQUASHFS-BYTES');
const sha = createHash('sha256').update(squashfs).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-ram-copy-check-'));
  isoPath = join(dir, 'x.iso');
  await writeFile(isoPath, Buffer.concat([Buffer.from('HEAD'), squashfs, Buffer.from('TAIL')]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A guest whose losetup and sha256sum answer as given; it records the commands it ran. */
function context(live: LiveModuleProfile, answers: { losetup: string; sha256: string }, ran: string[]): BootContext {
  const shell = {
    run: async (command: string) => {
      ran.push(command);
      return { command, exitCode: 0, output: command.startsWith('losetup') ? answers.losetup : answers.sha256 };
    },
  } as unknown as SerialShell;
  return {
    live,
    shell: async () => shell,
    liveFacts: { initrdFiles: [], isomd5Tag: false, squashfs: { offsetBytes: 4, sizeBytes: squashfs.length, holdsRootfsImage: true } },
    iso: { hostPath: isoPath, urlPath: '/image/x.iso', sizeBytes: 0, volumeId: 'V' },
  } as unknown as BootContext;
}

describe('the RAM copy of the live root', () => {
  it("finds the loop device by the copy's file name and hashes the copy where the module keeps it", async () => {
    const ran: string[] = [];
    const losetup = '/dev/loop0 /run/initramfs/live/LiveOS/squashfs.img\n/dev/loop1 /initramfs/squashed.img  \n';
    const outcome = await liveRootCopiedToRam().run(context(dmsquash, { losetup, sha256: `${sha}  /run/initramfs/squashed.img` }, ran));
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.detail).toMatch(/^loop device over the copy: \/dev\/loop1 \/initramfs\/squashed\.img; sha256 ([0-9a-f]{64}) in the guest, \1 for the ISO's squashfs/);
    expect(ran).toContain('sha256sum /run/initramfs/squashed.img');
  });

  it('fails without a loop device over the copy, and for a module that makes no copy', async () => {
    const none = await liveRootCopiedToRam().run(context(dmsquash, { losetup: '/dev/loop0 /x/squashfs.img', sha256: sha }, []));
    expect(none).toMatchObject({ ok: false });
    expect(none.detail).toMatch(/^loop device over the copy: none;/);
    const ran: string[] = [];
    expect(await liveRootCopiedToRam().run(context(kiwiLive, { losetup: '', sha256: '' }, ran))).toEqual({ ok: false, detail: 'kiwi-live makes no RAM copy of the live root' });
    expect(ran).toEqual([]);
  });
});
