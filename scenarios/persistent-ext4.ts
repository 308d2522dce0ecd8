import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { persistentDeploy, SEED_DISK } from './persistent-options.js';

const onDisk = { disk: '/dev/sda', filesystem: 'ext4' };

/** The persistent deploy with `rd.live.overlay.cowfs=ext4`: the cow partition is ext4 and keeps data. */
export default defineScenario({
  name: 'persistent-ext4',
  summary: 'persistent deploy over http with rd.live.overlay.cowfs=ext4: an ext4 cow partition that keeps data across boots',
  publish: { protocol: 'http' },
  disks: [SEED_DISK],
  boots: [
    {
      name: 'network boot deploys with an ext4 cow partition',
      from: 'network',
      live: persistentDeploy('ext4'),
      checks: [
        check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.writableLayer(onDisk), check.writeMarker('ext4'),
        check.diskHoldsIso(), check.diskCowPartition('ext4'),
      ],
    },
    {
      name: 'network boot again keeps the data',
      from: 'network',
      live: persistentDeploy('ext4'),
      checks: [check.noTransfer(), check.writableLayer(onDisk), check.markerPresent('ext4')],
    },
  ],
});
