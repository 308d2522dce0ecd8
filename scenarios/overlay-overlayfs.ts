import { isoTransferredOnce, liveIsoMountedFrom, writeMarker, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's "overlay based on overlayfs", asked for explicitly (dmsquash:
 * rd.live.overlay.overlayfs; kiwi-live always overlays with overlayfs): `/` must be an overlayfs
 * in the booted guest, and writable.
 */
export default defineScenario({
  name: 'overlay-overlayfs',
  summary: 'network boot asking for an overlayfs overlay: / is overlayfs over the read-only live root, and writable',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with an overlayfs overlay',
      from: 'network',
      live: { overlay: 'overlayfs' },
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), writeMarker('overlay-overlayfs')],
    },
  ],
});
