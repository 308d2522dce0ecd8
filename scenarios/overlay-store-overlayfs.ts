import { defineScenario } from '../harness/scenario/index.js';
import { overlayStoreLifecycle } from './overlay-store.js';

/**
 * dmsquash's persistent overlayfs: rd.live.overlay.overlayfs with rd.live.overlay=LABEL=pxe-overlay:/LiveOS/overlayfs,
 * an empty folder (and ovlwork beside it) on an ext4 disk the harness made. Writes, read-only, again, reset (see overlay-store.ts).
 */
export default defineScenario({
  name: 'overlay-store-overlayfs',
  summary: 'rd.live.overlay=DEVICE:FOLDER with overlayfs: an upper folder on a disk keeps data across network boots; readonly keeps no new write, reset empties it',
  publish: { protocol: 'http' },
  ...overlayStoreLifecycle('overlayfs-folder'),
});
