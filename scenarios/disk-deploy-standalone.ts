import * as check from '../harness/scenario/checks/index.js';
import { liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';
import { DEPLOY_TO_SDA, SEED_DISK } from './persistent-options.js';

/**
 * The deployed disk boots on its own: a network boot writes the ISO to /dev/sda (no persistence,
 * so the ISO's own partition table stays as built), then the machine boots that disk alone, with
 * no network device, through the disk's own boot loader for the firmware (GRUB from the ISO's MBR
 * under BIOS, its EFI system partition under UEFI).
 */
export default defineScenario({
  name: 'disk-deploy-standalone',
  summary: 'deploy the ISO to /dev/sda over http, then boot that disk alone with its own boot loader (BIOS or UEFI)',
  publish: { protocol: 'http' },
  disks: [SEED_DISK],
  boots: [
    {
      name: 'network boot deploys to the disk',
      from: 'network',
      live: DEPLOY_TO_SDA,
      checks: [check.isoTransferredOnce(), check.liveIsoMountedFrom('/dev/sda'), liveImageMatchesPublished('/dev/sda'), check.diskHoldsIso()],
    },
    {
      name: 'standalone boot from the disk, no network device',
      from: 'disk',
      checks: [check.liveIsoMountedFrom('/dev/sda')],
    },
  ],
});
