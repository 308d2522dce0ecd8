import { describeDiskEvidence } from '../../disk/disk-evidence.js';
import type { Check } from '../define-scenario.js';

/** Checks that read the disk images on the host after the guest powered off. */

/** Read on the host: the disk starts with the published ISO (ISO 9660, same volume id). */
export function diskHoldsIso(disk = 'system'): Check {
  return {
    name: `disk "${disk}" starts with the published ISO`,
    afterShutdown: true,
    async run({ diskEvidence, iso }) {
      const e = diskEvidence.find((d) => d.disk === disk);
      if (!e) return { ok: false, detail: `no evidence of disk ${disk}` };
      return { ok: e.isoVolumeId === iso.volumeId, detail: describeDiskEvidence(e) };
    },
  };
}

/** Read on the host: a partition labelled cow with this file system, or none at all. */
export function diskCowPartition(filesystem: string | 'none', disk = 'system'): Check {
  return {
    name: filesystem === 'none' ? `disk "${disk}" has no cow partition` : `disk "${disk}" has a ${filesystem} partition labelled cow`,
    afterShutdown: true,
    async run({ diskEvidence, live }) {
      const e = diskEvidence.find((d) => d.disk === disk);
      if (!e) return { ok: false, detail: `no evidence of disk ${disk}` };
      const cow = e.partitions.filter((p) => p.label === live.cowLabel);
      const ok = filesystem === 'none' ? cow.length === 0 : cow.length === 1 && cow[0]!.filesystem === filesystem;
      return { ok, detail: describeDiskEvidence(e) };
    },
  };
}
