import { basename } from 'node:path';
import { digestRanges } from '../../iso/iso-digest.js';
import { locateRamImage } from './image-checks.js';
import type { Check } from '../define-scenario.js';

/** Reading a few hundred MB under TCG takes a while. */
const HASH_TIMEOUT_MS = 600_000;

/**
 * A RAM copy of the live root (LiveBootOptions.ramCopy), proven from inside the guest: a loop
 * device is backed by the copy where the live module keeps it, and the copy equals the ISO's
 * LiveOS/squashfs.img byte for byte (its range of the published file).
 */
export function liveRootCopiedToRam(): Check {
  return {
    name: "the live root image was copied into RAM and equals the ISO's LiveOS/squashfs.img",
    async run({ shell, live, liveFacts, iso }) {
      const squashfs = liveFacts.squashfs;
      if (!squashfs) return { ok: false, detail: 'the ISO has no LiveOS/squashfs.img to compare with' };
      if (!live.ramCopy) return { ok: false, detail: `${live.id} makes no RAM copy of the live root` };
      const copy = live.ramCopy.path;
      const sh = await shell();
      const expected = digestRanges(iso.hostPath, [{ start: squashfs.offsetBytes, end: squashfs.offsetBytes + squashfs.sizeBytes }]);
      const loops = await sh.run('losetup -l -n -O NAME,BACK-FILE');
      // losetup names the file as the initramfs saw it before /run moved to the new root: match its name.
      const backed = loops.output.split('\n').find((l) => l.trimEnd().endsWith(`/${basename(copy)}`))?.trim();
      const actual = /^[0-9a-f]{64}/.exec((await sh.run(`sha256sum ${copy}`, { timeoutMs: HASH_TIMEOUT_MS })).output.trim())?.[0];
      const ok = Boolean(backed) && actual === (await expected);
      return { ok, detail: `loop device over the copy: ${backed ?? 'none'}; sha256 ${actual ?? 'unreadable'} in the guest, ${await expected} for the ISO's squashfs (${squashfs.sizeBytes} bytes at ${squashfs.offsetBytes})` };
    },
  };
}

/** The media check ran and called the ISO good, where the live module shows its verdict. */
export function mediaCheckPassed(): Check {
  return {
    name: "the live module's media check ran and passed",
    async run({ live, consoleLines, shell }) {
      const passed = live.mediaCheck.passed;
      if ('console' in passed) {
        const line = consoleLines.find((l) => passed.console.test(l.text));
        return { ok: Boolean(line), detail: line ? `${live.mediaCheck.toolName} at ${(line.tMs / 1000).toFixed(1)} s: "${line.text.trim()}"` : `no console line matched ${passed.console}` };
      }
      const text = (await (await shell()).run(`cat ${passed.file}`)).output;
      return { ok: passed.line.test(text), detail: `${passed.file}: ${text.trim().slice(-200) || 'empty or missing'}` };
    },
  };
}

/** The size of the block device the live module deployed the ISO to in RAM, as the guest's kernel reports it. */
export function ramDiskSize(): Check {
  return {
    name: "the size of the live module's RAM copy of the ISO",
    async run({ shell, live }) {
      const sh = await shell();
      const image = await locateRamImage(sh, live);
      const bytes = Number((await sh.run(`blockdev --getsize64 ${image.device}`)).output.trim().split('\n')[0]);
      return { ok: Number.isFinite(bytes) && bytes > 0, detail: `${image.device} is ${bytes} bytes = ${bytes / 1024} KiB (${image.where})` };
    },
  };
}
