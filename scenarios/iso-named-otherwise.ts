import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The ISO published under a name that does not end in .iso (live-image.img), as some servers
 * name their images. kiwi-live fetches whatever the URL names into its RAM disk and boots it;
 * dmsquash's livenet attaches a download as an ISO only when its name ends in .iso (livenetroot),
 * so there the scenario is SKIPPED with that rule before anything boots.
 */
export default defineScenario({
  name: 'iso-named-otherwise',
  summary: 'the ISO published as live-image.img (no .iso suffix): the live module must still boot it as the ISO it is',
  publish: { protocol: 'http', fileName: 'live-image.img' },
  boots: [
    {
      name: 'network boot of live-image.img into RAM',
      from: 'network',
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
