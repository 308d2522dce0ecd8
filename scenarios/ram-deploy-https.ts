import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's network live boot over https (root=live:https://…). The publisher serves TLS with a
 * throwaway self-signed certificate made for the run; the initrd has curl with TLS but no CA for
 * it, so the boot entry adds the seed's rd.kiwi.live.curl_options=--insecure, which kiwi-live
 * passes to curl. A boot without it fails at the handshake, which the publisher logs as a failed
 * transfer (see the publisher tests).
 */
export default defineScenario({
  name: 'ram-deploy-https',
  summary: 'PXE boot with root=live:https://… and rd.kiwi.live.curl_options=--insecure: the ISO comes over TLS into /dev/ram0',
  publish: { protocol: 'https' },
  boots: [
    {
      name: 'network boot into RAM over https',
      from: 'network',
      live: { insecureTls: true },
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
