import { digestRanges, hasGpt, keptRanges, splitRanges, type ByteRange } from '../../iso/iso-digest.js';
import type { SerialShell } from '../../console/serial-shell.js';
import type { LiveModuleProfile } from '../../live/live-module.js';
import type { BootContext, Check } from '../define-scenario.js';
import type { CheckOutcome } from '../result.js';

/** Reading and hashing a few hundred MB under TCG takes a while; the serial shell waits this long. */
const HASH_TIMEOUT_MS = 600_000;
/** Chunk size of the diagnosis that says where a copy differs. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * The digest of the proof, chosen by measurement under TCG (docs/benchmarks.md, "The proof of
 * delivery"): md5sum reads the fixture's RAM copy about as fast as cat (0.75 s for 107 MB, where
 * sha256sum took 1.7-2.6 s). Every byte is still read and compared; what the proof guards against
 * is a transfer that lost or changed bytes, not a forger of MD5 collisions.
 */
const PROOF_DIGEST = { algorithm: 'md5', tool: 'md5sum', hexLength: 32 } as const;
/**
 * Readers side by side, whatever the guest's vCPUs: the work is the same, so more readers than
 * vCPUs cost little, and the guest need not be asked for its count first (a round trip on the
 * serial console costs about half a second under TCG).
 */
const READERS = 4;

/**
 * The host's digests of a RAM deploy's proof (the whole ISO, in the parts the guest hashes),
 * started while the guest boots: made after `login:` they would take host cores from QEMU just
 * while the guest hashes (about 2 s of CPU for a 1 GB ISO). digestRanges keeps them for the check.
 */
export function warmProofDigests(isoPath: string, sizeBytes: number): void {
  for (const part of proofParts(sizeBytes, [])) digestRanges(isoPath, part, PROOF_DIGEST.algorithm).catch(() => undefined);
}

/** The parts the proof compares: the ISO's bytes outside `excluded`, cut for READERS readers. */
const proofParts = (sizeBytes: number, excluded: readonly ByteRange[]) => splitRanges(keptRanges(sizeBytes, excluded), READERS);

/** Shell that writes the ranges of a device, one after another, to stdout. */
const readRanges = (device: string, ranges: readonly ByteRange[]) =>
  ranges.map((r) => `dd if=${device} iflag=skip_bytes,count_bytes skip=${r.start} count=${r.end - r.start} bs=4M status=none`).join('; ');

/**
 * Shell: the digest of each part, hashed side by side (one reader each), printed as lines
 * `INDEX DIGEST` (each line one write of echo). In a subshell, so that an interactive shell prints
 * no job messages.
 */
export function partDigestsCommand(device: string, parts: readonly ByteRange[][]): string {
  const jobs = parts.map((part, i) => `echo "${i} $( { ${readRanges(device, part)}; } | ${PROOF_DIGEST.tool} )" &`);
  return `( ${jobs.join(' ')} wait )`;
}

/** The digests of `partDigestsCommand`'s output, by part; undefined where a part printed none. */
export function parsePartDigests(output: string, count: number): (string | undefined)[] {
  const found = new Map<number, string>();
  const line = new RegExp(`^(\\d+) ([0-9a-f]{${PROOF_DIGEST.hexLength}})\\b`);
  for (const text of output.split('\n')) {
    const m = line.exec(text.trim());
    if (m) found.set(Number(m[1]), m[2]!);
  }
  return Array.from({ length: count }, (_, i) => found.get(i));
}

/** Where the guest's copy of the ISO is: its block device, and words for the report. */
type ImageLocation = { device: string; where: string };

/**
 * The proof of delivery, from the guest: the live module's copy of the ISO (its RAM disk, or the
 * disk it deployed to) equals the published file byte for byte, outside the bytes a disk deploy
 * may rewrite (its partition table). The publisher's log only knows what it wrote to the
 * connection; this is what arrived. Compares sha256 digests of the same ranges on the host and in
 * the guest.
 */
export function liveImageMatchesPublished(where: 'ram' | string, options: { deployed?: boolean } = {}): Check {
  // A device other than RAM is a disk the module deployed to, unless it is the export itself (AoE).
  const deployed = options.deployed ?? where !== 'ram';
  const name = where === 'ram'
    ? "the live module's copy of the ISO in RAM holds the published ISO byte for byte"
    : `${where} holds the published ISO byte for byte${deployed ? ', outside the partition table a deploy rewrites' : ''}`;
  return {
    name,
    proves: 'delivery',
    run: (context) => compareWithPublished(context, deployed, (sh) => (where === 'ram' ? locateRamImage(sh, context.live) : Promise.resolve({ device: where, where }))),
  };
}

/**
 * The proof of delivery the harness adds to every network boot that logs in (see
 * BootDefinition.deliveryProof): whatever the live module did with the ISO, the device the guest
 * mounted it from (its whole disk, when that is a partition) must hold the published bytes; a
 * deploy to a disk (live.system) may have rewritten the partition table.
 */
export function liveImageDelivered(): Check {
  return {
    name: 'delivered: the device the guest mounted the ISO from holds the published ISO byte for byte',
    proves: 'delivery',
    run: (context) => compareWithPublished(context, context.liveOptions.system !== undefined, (sh) => locateMountedImage(sh, context.live)),
  };
}

/** Shell: the iso9660 mount's device, then its whole disk (lsblk's parent; none for RAM, loop and whole disks). */
const MOUNTED_ISO = 'd=$(findmnt -rn -t iso9660 -o SOURCE | head -n 1); p=$(lsblk -npo PKNAME "$d" 2>/dev/null | head -n 1); echo "$d"; echo "${p:-$d}"';

/** The device the guest mounted the live ISO from; without an iso9660 mount, where the module keeps its RAM copy. */
async function locateMountedImage(sh: SerialShell, live: LiveModuleProfile): Promise<ImageLocation> {
  const [mounted = '', disk = ''] = (await sh.run(MOUNTED_ISO)).output.trim().split('\n').map((l) => l.trim());
  if (!disk.startsWith('/dev/')) return locateRamImage(sh, live);
  return { device: disk, where: disk === mounted ? `${disk} (the ISO's mount)` : `${disk} (the disk of the ISO's mount ${mounted})` };
}

async function compareWithPublished(context: BootContext, deployed: boolean, locate: (sh: SerialShell) => Promise<ImageLocation>): Promise<Omit<CheckOutcome, 'name'>> {
  const { shell, live, iso } = context;
  const excluded = deployed ? live.diskDeployRewrites({ sizeBytes: iso.sizeBytes, gpt: await hasGpt(iso.hostPath) }) : [];
  const sh = await shell();
  const image = await locate(sh);
  const parts = proofParts(iso.sizeBytes, excluded);
  const [expected, result] = await Promise.all([
    Promise.all(parts.map((part) => digestRanges(iso.hostPath, part, PROOF_DIGEST.algorithm))),
    sh.run(`blockdev --getsize64 ${image.device}; ${partDigestsCommand(image.device, parts)}`, { timeoutMs: HASH_TIMEOUT_MS }),
  ]);
  const sizeLine = result.output.trim().split('\n')[0] ?? '';
  const actual = parsePartDigests(result.output, parts.length);
  const skipped = excluded.length ? ` (outside ${excluded.map((r) => `bytes ${r.start}-${r.end - 1}`).join(', ')})` : '';
  const what = `${image.where} (${sizeLine.trim() || '?'} bytes) vs the published ${iso.urlPath} (${iso.sizeBytes} bytes)${skipped}`;
  const digests = `${PROOF_DIGEST.algorithm} ${expected.join(',')}`;
  const side = parts.length > 1 ? ` (${parts.length} parts hashed side by side)` : '';
  if (actual.every((d, i) => d === expected[i])) return { ok: true, detail: `delivered, as the guest reads it: ${digests} on both${side}: ${what}` };
  const missing = actual.flatMap((d, i) => (d === undefined ? [i + 1] : []));
  if (missing.length) return { ok: false, detail: `no digest from the guest for part(s) ${missing.join(', ')} of ${parts.length}: ${result.output.trim().slice(-300) || 'no output'}` };
  const short = shortfall(Number(sizeLine.trim()), iso.sizeBytes);
  return { ok: false, detail: `NOT delivered as published: ${short}${PROOF_DIGEST.algorithm} ${actual.join(',')} in the guest, ${expected.join(',')} published: ${what}; ${await whereItDiffers(sh, image.device, iso)}` };
}

/** A copy smaller than the ISO cannot hold it, whatever the publisher's log says it wrote. */
function shortfall(copyBytes: number, isoBytes: number): string {
  if (!Number.isFinite(copyBytes) || copyBytes <= 0 || copyBytes >= isoBytes) return '';
  return `the guest's copy has room for ${copyBytes} bytes, ${isoBytes - copyBytes} fewer than the ISO (the publisher's log says only what it wrote to the connection); `;
}

/**
 * Where the live module keeps the ISO after a RAM deploy, asked of the booted guest (kiwi-live: its
 * brd RAM disk; dmsquash: the loop device over the file livenet downloaded into the initramfs).
 */
export async function locateRamImage(sh: SerialShell, live: LiveModuleProfile): Promise<ImageLocation> {
  const [device = '', where = ''] = (await sh.run(live.ramImageLocator)).output.trim().split('\n').map((l) => l.trim());
  if (!device.startsWith('/dev/')) throw new Error(`${live.id}: the guest named no device for the live ISO (${device || 'nothing'}); expected after a RAM deploy: ${live.ramImageLocator}`);
  return { device, where: where || device };
}

/** On a mismatch: which 4 MiB chunks differ (a digest per chunk on both sides), so that the report says where. */
async function whereItDiffers(sh: SerialShell, device: string, iso: { hostPath: string; sizeBytes: number }): Promise<string> {
  const count = Math.ceil(iso.sizeBytes / CHUNK_BYTES);
  const chunk = (i: number) => ({ start: i * CHUNK_BYTES, end: Math.min(iso.sizeBytes, (i + 1) * CHUNK_BYTES) });
  const last = iso.sizeBytes - (count - 1) * CHUNK_BYTES;
  // The device may run on past the ISO's end: the last chunk stops where the ISO does.
  const length = `$(( i == ${count - 1} ? ${last} : ${CHUNK_BYTES} ))`;
  const command = `for i in $(seq 0 ${count - 1}); do dd if=${device} iflag=skip_bytes,count_bytes skip=$((i*${CHUNK_BYTES})) count=${length} bs=4M status=none | ${PROOF_DIGEST.tool}; done`;
  const guest = (await sh.run(command, { timeoutMs: HASH_TIMEOUT_MS })).output.trim().split('\n').map((l) => l.slice(0, PROOF_DIGEST.hexLength));
  const differing: string[] = [];
  for (let i = 0; i < count && differing.length < 8; i++) {
    const range = chunk(i);
    if ((await digestRanges(iso.hostPath, [range], PROOF_DIGEST.algorithm)) !== guest[i]) differing.push(`bytes ${range.start}-${range.end - 1}`);
  }
  return differing.length ? `4 MiB chunks that differ: ${differing.join(', ')}` : 'every 4 MiB chunk is equal: the difference is in the excluded bytes or the guest read less than the ISO';
}
