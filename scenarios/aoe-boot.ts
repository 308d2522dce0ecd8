import { liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/** Where the guest's aoe driver puts shelf 0, slot 1 (publish/aoe-publisher.ts exports it there). */
const AOE_DEVICE = '/dev/etherd/e0.1';

/**
 * The overlay module's older network path (the seed: "supports network boot only in combination
 * with the AoE protocol"): Debian's vblade exports the ISO read-only on an Ethernet segment that is
 * a network namespace of the harness's own, the guest's second NIC joins it, and the boot entry
 * says root=live:AOEINTERFACE=e0.1. The guest must mount the ISO from the AoE device, which must
 * read back as the ISO byte for byte. dmsquash has no AoE root and SKIPs; without root (no
 * network namespace) the scenario SKIPs with that reason.
 */
export default defineScenario({
  name: 'aoe-boot',
  summary: 'the ISO exported over ATA over Ethernet (vblade in a network namespace) and booted as root=live:AOEINTERFACE=e0.1',
  publish: { protocol: 'aoe' },
  boots: [
    {
      name: 'network boot from the AoE target',
      from: 'network',
      checks: [liveIsoMountedFrom(AOE_DEVICE), liveImageMatchesPublished(AOE_DEVICE, { deployed: false })],
    },
  ],
});
