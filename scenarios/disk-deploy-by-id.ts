import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { DEPLOY_TO_SDA, SEED_DISK } from './persistent-options.js';

const SERIAL = 'PXEHARNESS0001';

/**
 * `rd.kiwi.live.system=` names "the block device to use for the system"; a stable name such as
 * /dev/disk/by-id/... is what a real deployment would write (kernel names move between boots).
 * The disk gets a fixed serial so that its by-id name is known before the boot; the deploy must
 * land on it as with /dev/sda.
 */
export default defineScenario({
  name: 'disk-deploy-by-id',
  summary: `deploy with rd.kiwi.live.system=/dev/disk/by-id/ata-QEMU_HARDDISK_${SERIAL}: the ISO lands on that disk and boots from it`,
  publish: { protocol: 'http' },
  disks: [{ ...SEED_DISK, serial: SERIAL }],
  boots: [
    {
      name: 'network boot deploys to the disk named by id',
      from: 'network',
      live: { ...DEPLOY_TO_SDA, system: `/dev/disk/by-id/ata-QEMU_HARDDISK_${SERIAL}` },
      checks: [check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.diskHoldsIso()],
    },
  ],
});
