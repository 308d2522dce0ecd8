import { isoRequestedWithUserAgent, isoTransferredOnce, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * `rd.kiwi.live.curl_options=` ("Options passed along to the curl call") in the comma form that
 * a kernel command line needs for options with values: `--user-agent,pxe-harness-conformance`
 * must reach curl as `--user-agent pxe-harness-conformance`, which the publisher sees in the
 * request. dmsquash has no such option: SKIPPED there.
 */
export default defineScenario({
  name: 'curl-options-comma-form',
  summary: 'rd.kiwi.live.curl_options=--user-agent,pxe-harness-conformance: the publisher sees that User-Agent, and the system boots',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with curl options in the comma form',
      from: 'network',
      live: { curlOptions: ['--user-agent', 'pxe-harness-conformance'] },
      checks: [isoRequestedWithUserAgent('pxe-harness-conformance'), isoTransferredOnce(), liveImageMatchesPublished('ram')],
    },
  ],
});
