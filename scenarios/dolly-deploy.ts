import { liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's fourth protocol: `root=live:dolly://...`, the ISO cloned into RAM by a dolly server.
 * It needs a real dolly server on the host and dolly in the ISO's initrd; this project has no
 * real dolly (see UNPUBLISHABLE in publish/registry.ts), so the scenario SKIPs with the reason
 * rather than boot against a stand-in.
 */
export default defineScenario({
  name: 'dolly-deploy',
  summary: 'the ISO published by a dolly server and booted as root=live:dolly://: a RAM deploy, byte for byte the ISO',
  publish: { protocol: 'dolly' },
  boots: [
    {
      name: 'network boot over dolly',
      from: 'network',
      checks: [liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
