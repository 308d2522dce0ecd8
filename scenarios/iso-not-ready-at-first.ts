import { isoFetchedAfterAskingAgain, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The http server is not ready when the guest first asks: it answers `503 Service Unavailable`
 * with `Retry-After: 1` (a server started on demand, a cold cache, a mirror still syncing), then
 * serves the ISO. A client that retries transient errors asks again and boots; one that does not
 * has no ISO. (kiwi-live's curl runs without --retry: see known-issues.json; dmsquash's livenet
 * runs curl with --retry 3.)
 */
export default defineScenario({
  name: 'iso-not-ready-at-first',
  summary: 'the publisher answers the first request "503, ask again in 1 s": the boot asks again, fetches the ISO and boots',
  publish: { protocol: 'http', fault: { kind: 'not-ready', requests: 1 } },
  boots: [
    {
      name: 'network boot after the server was not ready',
      from: 'network',
      checks: [isoFetchedAfterAskingAgain(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
