import { writableLayerSize, writeFailsPastLayer, defineScenario } from '../harness/scenario/index.js';

/**
 * rd.live.overlay.size on a RAM boot, asked as 32 MiB and spelt by each module for its own
 * code: dmsquash's temporary device-mapper snapshot (dracut documents MiB), kiwi-live's tmpfs
 * (its code passes the value to tmpfs's size=, so 32M). The guest's writable layer must have
 * that room, and a write past it must fail the way its kind documents. Small, because a snapshot
 * fills through / only while the live root's file system has room for the writes.
 */
export default defineScenario({
  name: 'overlay-size',
  summary: 'rd.live.overlay.size for 32 MiB: the writable layer in the guest has exactly that room, and a write past it fails',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with a 32 MiB writable layer',
      from: 'network',
      live: { overlaySizeMiB: 32 },
      checks: [writableLayerSize(), writeFailsPastLayer()],
    },
  ],
});
