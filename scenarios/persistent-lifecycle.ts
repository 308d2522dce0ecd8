import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { persistentDeploy, SEED_DISK } from './persistent-options.js';

const options = persistentDeploy('xfs');
const onDisk = { disk: '/dev/sda', filesystem: 'xfs' };

/**
 * The seed's persistent live system over its whole life, on a fresh 3G disk, over ftp as the seed
 * publishes it. Every stage proves persistence itself: a marker written in one boot is read back
 * in the next.
 */
export default defineScenario({
  name: 'persistent-lifecycle',
  summary: 'deploy to /dev/sda once, keep it across a network and a standalone boot, reset it with rd.kiwi.live.reset',
  publish: { protocol: 'ftp' },
  disks: [SEED_DISK],
  boots: [
    {
      name: 'a. network boot deploys to the disk',
      from: 'network',
      live: options,
      checks: [
        check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.writableLayer(onDisk), check.writeMarker('a'),
        check.diskHoldsIso(), check.diskCowPartition('xfs'),
      ],
    },
    {
      name: 'b. network boot again, no reset',
      from: 'network',
      live: options,
      checks: [check.noTransfer(), check.liveIsoMountedFrom('/dev/sda'), check.writableLayer(onDisk), check.markerPresent('a')],
    },
    {
      name: 'c. standalone boot from the disk, no network device',
      from: 'disk',
      checks: [check.liveIsoMountedFrom('/dev/sda'), check.writableLayer(onDisk), check.markerPresent('a')],
    },
    {
      name: 'd. network boot with rd.kiwi.live.reset',
      from: 'network',
      live: { ...options, reset: true },
      checks: [
        check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.writableLayer(onDisk), check.markerAbsent('a'),
        check.writeMarker('d'),
        check.diskHoldsIso(), check.diskCowPartition('xfs'),
      ],
    },
    {
      name: 'e. the reset system keeps data again',
      from: 'disk',
      checks: [check.liveIsoMountedFrom('/dev/sda'), check.markerPresent('d')],
    },
  ],
});
