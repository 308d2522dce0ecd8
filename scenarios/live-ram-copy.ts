import { isoTransferredOnce, liveIsoMountedFrom, liveRootCopiedToRam, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's "ISO in RAM completely": with rd.live.ram dmsquash copies the live root image
 * (LiveOS/squashfs.img) into RAM before it mounts it. The guest proves the copy is there, is
 * what the root runs on (a loop device over it), and equals the ISO's squashfs byte for byte.
 * kiwi-live has no such mode (the seed says so): SKIPPED there.
 */
export default defineScenario({
  name: 'live-ram-copy',
  summary: 'root=live:http://… with rd.live.ram: the live root image is copied into RAM and the system runs from that copy',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with rd.live.ram',
      from: 'network',
      live: { ramCopy: true },
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveRootCopiedToRam()],
    },
  ],
});
