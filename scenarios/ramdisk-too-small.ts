import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: `ramdisk_size` (KiB) far below the ISO's size on a RAM deploy. The deploy
 * cannot fit, so the boot must fail, and fail for that reason: the initrd's fetch into /dev/ram0
 * stops when the RAM disk is full, which the publisher sees as an incomplete transfer.
 */
export default defineScenario({
  name: 'ramdisk-too-small',
  summary: 'RAM deploy with ramdisk_size=65536 (64 MiB): must FAIL with an incomplete ISO transfer (PASS when it does)',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot into a 64 MiB RAM disk',
      from: 'network',
      live: { ramdiskSizeKiB: 65536 },
      checks: [],
      expectFailure: { reason: /transfer failed: http GET \S+ -> 200 INCOMPLETE/, why: 'a 64 MiB RAM disk cannot hold the ISO', phase: 'fetch-root' },
    },
  ],
});
