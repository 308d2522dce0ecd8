import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { DEPLOY_TO_SDA, SEED_DISK } from './persistent-options.js';

/**
 * The seed warns: "All data on the device given via rd.kiwi.live.system will be wiped". On a
 * disk that already holds a partition table and an ext4 file system, the deploy must write the
 * ISO over it and boot from it, as on a blank disk. (kiwi-live's ProvideIso skips the download
 * when the device has any partition table, unless rd.kiwi.live.reset: see known-issues.json.)
 */
export default defineScenario({
  name: 'used-disk-deploy',
  summary: 'deploy with rd.kiwi.live.system=/dev/sda onto a disk that already holds a partition table and data: the ISO must replace it',
  publish: { protocol: 'http' },
  disks: [{ ...SEED_DISK, contents: 'used' }],
  boots: [
    {
      name: 'network boot deploys over the used disk',
      from: 'network',
      live: DEPLOY_TO_SDA,
      checks: [check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.diskHoldsIso()],
    },
  ],
});
