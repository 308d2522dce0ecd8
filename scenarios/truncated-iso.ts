import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: the http publisher cuts the connection after 64 MiB of the ISO. A truncated
 * ISO must never pass: the boot must FAIL while the initrd fetches the root, naming the short transfer.
 */
export default defineScenario({
  name: 'truncated-iso',
  summary: 'the publisher cuts the ISO after 64 MiB: must FAIL in the fetch with an incomplete transfer (PASS when it does)',
  publish: { protocol: 'http', fault: { kind: 'cut', afterBytes: 64 * 1024 * 1024 } },
  boots: [
    {
      name: 'network boot with a truncated ISO',
      from: 'network',
      checks: [],
      expectFailure: { reason: /transfer failed: http GET \S+ -> 200 INCOMPLETE, 64\.0 MiB of/, why: 'a truncated ISO must not pass', phase: 'fetch-root' },
    },
  ],
});
