import { describeTransfer, formatBytes, isFailedTransfer } from '../publish/transfer-log.js';
import type { Check } from './scenario.js';

/** The ISO moved exactly once, whole, during this boot, and nothing else was asked for in vain. */
export function isoTransferredOnce(): Check {
  return {
    name: 'the ISO was transferred exactly once and in full',
    async run({ iso, transfers }) {
      const fetches = transfers.filter((t) => t.method !== 'HEAD');
      const failed = fetches.filter(isFailedTransfer);
      const ofIso = fetches.filter((t) => t.path === iso.urlPath);
      const complete = ofIso.filter((t) => t.complete && t.bytesSent === iso.sizeBytes);
      const ok = complete.length === 1 && ofIso.length === 1 && failed.length === 0;
      const detail = fetches.length
        ? fetches.map(describeTransfer).join('; ')
        : `no transfer at all (expected ${iso.urlPath}, ${formatBytes(iso.sizeBytes)})`;
      return { ok, detail: ok ? detail : `expected one complete transfer of ${iso.urlPath}: ${detail}` };
    },
  };
}

/**
 * The live system runs from the ISO in RAM: the guest itself is asked which device holds the
 * mounted ISO 9660 file system (the kiwi-live module mounts it under /run/overlay/live) and what
 * the root file system is.
 */
export function liveRootInRam(device = '/dev/ram0'): Check {
  return {
    name: `the live ISO is mounted from ${device} and / is its overlay`,
    async run({ shell }) {
      const sh = await shell();
      const iso = (await sh.run('findmnt -rn -t iso9660 -o SOURCE,TARGET')).output.trim();
      const root = (await sh.run('findmnt -rn -o FSTYPE,SOURCE /')).output.trim();
      const sources = iso.split('\n').map((l) => l.split(' ')[0]);
      const ok = sources.includes(device) && /^overlay\b/.test(root);
      return { ok, detail: `iso9660 mounts: ${iso || 'none'}; root: ${root || 'unknown'}` };
    },
  };
}
