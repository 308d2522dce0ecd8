import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { DEPLOY_TO_SDA, SEED_DISK } from './persistent-options.js';

/**
 * `rd.kiwi.live.system=/dev/sda` without `rd.live.overlay.persistent`: the ISO is deployed to the
 * disk and boots from it, but writes go to RAM and must not survive a reboot.
 */
export default defineScenario({
  name: 'disk-deploy-not-persistent',
  summary: 'deploy to /dev/sda without rd.live.overlay.persistent: no cow partition, data written in one boot is gone in the next',
  publish: { protocol: 'http' },
  disks: [SEED_DISK],
  boots: [
    {
      name: 'network boot deploys to the disk, overlay in RAM',
      from: 'network',
      live: DEPLOY_TO_SDA,
      checks: [
        check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.writableLayer('ram'),
        check.writeMarker('volatile'),
        check.diskHoldsIso(), check.diskCowPartition('none'),
      ],
    },
    {
      name: 'network boot again: the data is gone',
      from: 'network',
      live: DEPLOY_TO_SDA,
      checks: [check.noTransfer(), check.liveIsoMountedFrom('/dev/sda'), check.markerAbsent('volatile')],
    },
  ],
});
