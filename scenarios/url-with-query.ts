import { isoRequestedAsGiven, isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * `root=live:http://IP/PATH` with a query string holding `&` (as download services hand out:
 * `?arch=x86_64&flavor=live`). The publisher serves the ISO whatever the query; the boot must
 * fetch the URL as given and boot. (kiwi-live runs its curl command line through `eval`, where an
 * unquoted `&` ends the command: see known-issues.json.)
 */
export default defineScenario({
  name: 'url-with-query',
  summary: 'root=live:http://…/ISO?arch=x86_64&flavor=live: the URL is fetched as given (query and all) and the system boots',
  publish: { protocol: 'http', requestPath: '{iso}?arch=x86_64&flavor=live' },
  boots: [
    {
      name: 'network boot from a URL with a query',
      from: 'network',
      checks: [isoRequestedAsGiven(), isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
