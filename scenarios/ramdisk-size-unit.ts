import { ramDiskSize, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed documents `ramdisk_size=bytes` ("Size of the ramdisk in bytes. By default this is set
 * to 2097152 (2G)"). Read as bytes, the seed's own value 3545728 is 3.4 MB, which no live ISO fits
 * in: the RAM deploy must then fail with an incomplete transfer. Read as KiB (brd's rd_size), it is
 * 3.4 GiB and the ISO fits. The boot shows which: the guest's RAM disk size is in the evidence.
 */
export default defineScenario({
  name: 'ramdisk-size-unit',
  summary: 'RAM deploy with the seed\'s ramdisk_size=3545728, documented in bytes (3.4 MB, too small for any ISO): must FAIL with an incomplete transfer (PASS when it does)',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with ramdisk_size=3545728',
      from: 'network',
      live: { ramdiskSizeKiB: 3_545_728 },
      checks: [ramDiskSize()],
      expectFailure: { reason: /transfer failed: http GET \S+ -> 200 INCOMPLETE/, why: 'a RAM disk of 3545728 bytes cannot hold the ISO', phase: 'fetch-root' },
    },
  ],
});
