import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: the ftp publisher stops sending after 32 MiB and keeps the connection open.
 * The initrd's curl has no timeout and would wait for ever; the harness must name the stall.
 */
export default defineScenario({
  name: 'stalled-iso',
  summary: 'the publisher stalls after 32 MiB of the ISO: must FAIL in the fetch, named as a stall (PASS when it does)',
  publish: { protocol: 'ftp', fault: { kind: 'stall', afterBytes: 32 * 1024 * 1024 } },
  boots: [
    {
      name: 'network boot with a stalled ISO transfer',
      from: 'network',
      checks: [],
      expectFailure: { reason: /transfer stalled: ftp RETR \S+ sent no byte for \d+ s after 32\.0 MiB of/, why: 'a stall must be named as a stall', phase: 'fetch-root' },
    },
  ],
});
