import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The http server answers the ISO's URL with `302 Found` and a Location where it is served (a
 * moved file, a mirror redirector). HTTP clients follow it; the boot must fetch the ISO from
 * there and boot. (kiwi-live's curl runs without --location: see known-issues.json.)
 */
export default defineScenario({
  name: 'http-redirect',
  summary: 'the ISO\'s URL answers 302 with a Location that serves it: the boot follows the redirect and boots',
  publish: { protocol: 'http', fault: { kind: 'redirect', status: 302 } },
  boots: [
    {
      name: 'network boot through a redirect',
      from: 'network',
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
