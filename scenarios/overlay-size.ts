import { writableLayerSize, writeFailsPastLayer, defineScenario } from '../harness/scenario/index.js';

/**
 * rd.live.overlay.size on a RAM boot, asked as 256 MiB and spelt by each module for its own
 * code: dmsquash's temporary device-mapper snapshot (dracut documents MiB), kiwi-live's tmpfs
 * (its code passes the value to tmpfs's size=, so 256M). The guest's writable layer must have
 * that room, and a write past it must fail the way its kind documents.
 */
export default defineScenario({
  name: 'overlay-size',
  summary: 'rd.live.overlay.size for 256 MiB: the writable layer in the guest has exactly that room, and a write past it fails',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with a 256 MiB writable layer',
      from: 'network',
      live: { overlaySizeMiB: 256 },
      checks: [writableLayerSize(), writeFailsPastLayer()],
    },
  ],
});
