import { defineScenario } from '../harness/scenario/index.js';
import { MISSING_STORE } from './overlay-store.js';

/**
 * A persistent overlay asked for on a disk that is not there. dmsquash then asks at the console
 * "Press [Enter] to continue" and waits for ever (systemd-ask-password --timeout=0): the harness
 * must say so as soon as the prompt shows, not at its silence limit.
 */
export default defineScenario({
  name: 'overlay-store-missing',
  summary: 'rd.live.overlay names a disk that is not there: dmsquash stops at its "Press [Enter] to continue" prompt, named within seconds',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with the overlay store missing',
      from: 'network',
      live: { overlayStore: MISSING_STORE },
      checks: [],
      expectFailure: { reason: /waits at the console for Enter/, why: 'without rd.live.overlay.nouserconfirmprompt a missing persistent overlay stops the boot at a prompt', phase: 'fetch-root' },
    },
  ],
});
