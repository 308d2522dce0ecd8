import { isoTransferredOnce, mediaCheckPassed, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's media checksum verification on a network boot (kiwi-live: `mediacheck` with SUSE's
 * checkmedia; dmsquash: `rd.live.check` with checkisomd5 on an implantisomd5-tagged ISO): on a
 * good ISO the check passes and the system boots. SKIPPED when the ISO's initrd has no such tool
 * or the ISO carries no checksum.
 */
export default defineScenario({
  name: 'media-check',
  summary: 'network boot with the media check on: the ISO\'s embedded checksum verifies and the system boots',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with the media check',
      from: 'network',
      live: { mediaCheck: true },
      checks: [isoTransferredOnce(), mediaCheckPassed()],
    },
  ],
});
