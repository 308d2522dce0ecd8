import { digestRanges, hasGpt, keptRanges, type ByteRange } from '../../iso/iso-digest.js';
import type { SerialShell } from '../../console/serial-shell.js';
import type { LiveModuleProfile } from '../../live/live-module.js';
import type { Check } from '../define-scenario.js';

/** Reading and hashing a few hundred MB under TCG takes a while; the serial shell waits this long. */
const HASH_TIMEOUT_MS = 600_000;
/** Chunk size of the diagnosis that says where a copy differs. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Shell that writes the ranges of a device, one after another, to stdout. */
const readRanges = (device: string, ranges: readonly ByteRange[]) =>
  ranges.map((r) => `dd if=${device} iflag=skip_bytes,count_bytes skip=${r.start} count=${r.end - r.start} bs=4M status=none`).join('; ');

/**
 * The proof of delivery, from the guest: the live module's copy of the ISO (its RAM disk, or the
 * disk it deployed to) equals the published file byte for byte, outside the bytes a disk deploy
 * may rewrite (its partition table). The publisher's log only knows what it wrote; this is what
 * arrived. Compares sha256 digests of the same ranges on the host and in the guest.
 */
export function liveImageMatchesPublished(where: 'ram' | string, options: { deployed?: boolean } = {}): Check {
  // A device other than RAM is a disk the module deployed to, unless it is the export itself (AoE).
  const deployed = options.deployed ?? where !== 'ram';
  const name = where === 'ram'
    ? "the live module's copy of the ISO in RAM holds the published ISO byte for byte"
    : `${where} holds the published ISO byte for byte${deployed ? ', outside the partition table a deploy rewrites' : ''}`;
  return {
    name,
    async run({ shell, live, iso }) {
      const excluded = deployed ? live.diskDeployRewrites({ sizeBytes: iso.sizeBytes, gpt: await hasGpt(iso.hostPath) }) : [];
      const ranges = keptRanges(iso.sizeBytes, excluded);
      const [expected, sh] = await Promise.all([digestRanges(iso.hostPath, ranges), shell()]);
      const image = where === 'ram' ? await locateRamImage(sh, live) : { device: where, where };
      const device = image.device;
      const result = await sh.run(`blockdev --getsize64 ${device}; { ${readRanges(device, ranges)}; } | sha256sum`, { timeoutMs: HASH_TIMEOUT_MS });
      const [sizeLine = '', sumLine = ''] = result.output.trim().split('\n');
      const actual = /^[0-9a-f]{64}\b/.exec(sumLine.trim())?.[0];
      const skipped = excluded.length ? ` (outside ${excluded.map((r) => `bytes ${r.start}-${r.end - 1}`).join(', ')})` : '';
      const what = `${image.where} (${sizeLine.trim() || '?'} bytes) vs the published ${iso.urlPath} (${iso.sizeBytes} bytes)${skipped}`;
      if (actual === expected) return { ok: true, detail: `sha256 ${expected} on both: ${what}` };
      if (!actual) return { ok: false, detail: `no digest from the guest (status ${result.exitCode}): ${result.output.trim().slice(-300) || 'no output'}` };
      return { ok: false, detail: `the copy differs: sha256 ${actual} in the guest, ${expected} published: ${what}; ${await whereItDiffers(sh, device, iso)}` };
    },
  };
}

/**
 * Where the live module keeps the ISO after a RAM deploy, asked of the booted guest (kiwi-live: its
 * brd RAM disk; dmsquash: the loop device over the file livenet downloaded into the initramfs).
 */
export async function locateRamImage(sh: SerialShell, live: LiveModuleProfile): Promise<{ device: string; where: string }> {
  const [device = '', where = ''] = (await sh.run(live.ramImageLocator)).output.trim().split('\n').map((l) => l.trim());
  if (!device.startsWith('/dev/')) throw new Error(`${live.id}: the guest named no device for the live ISO (${device || 'nothing'}); expected after a RAM deploy: ${live.ramImageLocator}`);
  return { device, where: where || device };
}

/** On a mismatch: which 4 MiB chunks differ (md5 per chunk on both sides), so that the report says where. */
async function whereItDiffers(sh: SerialShell, device: string, iso: { hostPath: string; sizeBytes: number }): Promise<string> {
  const count = Math.ceil(iso.sizeBytes / CHUNK_BYTES);
  const chunk = (i: number) => ({ start: i * CHUNK_BYTES, end: Math.min(iso.sizeBytes, (i + 1) * CHUNK_BYTES) });
  const last = iso.sizeBytes - (count - 1) * CHUNK_BYTES;
  // The device may run on past the ISO's end: the last chunk stops where the ISO does.
  const length = `$(( i == ${count - 1} ? ${last} : ${CHUNK_BYTES} ))`;
  const command = `for i in $(seq 0 ${count - 1}); do dd if=${device} iflag=skip_bytes,count_bytes skip=$((i*${CHUNK_BYTES})) count=${length} bs=4M status=none | sha256sum; done`;
  const guest = (await sh.run(command, { timeoutMs: HASH_TIMEOUT_MS })).output.trim().split('\n').map((l) => l.slice(0, 64));
  const differing: string[] = [];
  for (let i = 0; i < count && differing.length < 8; i++) {
    const range = chunk(i);
    if ((await digestRanges(iso.hostPath, [range])) !== guest[i]) differing.push(`bytes ${range.start}-${range.end - 1}`);
  }
  return differing.length ? `4 MiB chunks that differ: ${differing.join(', ')}` : 'every 4 MiB chunk is equal: the difference is in the excluded bytes or the guest read less than the ISO';
}
