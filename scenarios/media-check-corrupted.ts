import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative media check: the publisher flips 8 bytes 32 MiB into the ISO (inside what the
 * embedded checksum covers) and sends the full length. The check must find it and the boot must
 * FAIL on the module's message, at once: dmsquash would then sleep 12 hours before it gives up.
 */
export default defineScenario({
  name: 'media-check-corrupted',
  summary: 'the media check on a corrupted copy of the ISO: must FAIL on the check\'s own message, within seconds of it (PASS when it does)',
  publish: { protocol: 'http', fault: { kind: 'corrupt', atByte: 32 * 2 ** 20, count: 8 } },
  boots: [
    {
      name: 'network boot with the media check on a corrupted copy',
      from: 'network',
      live: { mediaCheck: true },
      checks: [],
      expectFailure: {
        reason: /media check|ISO check failed|Failed to verify system integrity/i,
        why: 'a damaged ISO must be refused by the media check, not booted',
        phase: ['fetch-root', 'live-root'],
      },
    },
  ],
});
