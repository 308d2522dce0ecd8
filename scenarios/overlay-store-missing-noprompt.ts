import { consoleShows, writableLayerInRam, writeMarker, defineScenario } from '../harness/scenario/index.js';
import { MISSING_STORE } from './overlay-store.js';

/** The missing store with rd.live.overlay.nouserconfirmprompt: dmsquash warns and boots on a temporary overlay in RAM. */
export default defineScenario({
  name: 'overlay-store-missing-noprompt',
  summary: 'rd.live.overlay names a disk that is not there, with rd.live.overlay.nouserconfirmprompt: a warning, then a boot on a temporary overlay in RAM',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with the overlay store missing, no prompt',
      from: 'network',
      live: { overlayStore: { ...MISSING_STORE, noPrompt: true } },
      checks: [consoleShows(/Using temporary overlay/), writableLayerInRam(), writeMarker('temporary')],
    },
  ],
});
