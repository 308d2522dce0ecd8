import { defineScenario } from '../harness/scenario/index.js';
import { overlayStoreLifecycle } from './overlay-store.js';

/**
 * dmsquash's persistent device-mapper snapshot: rd.live.overlay=LABEL=pxe-overlay:/LiveOS/overlay.img,
 * an empty file on an ext4 disk the harness made. Writes, read-only, again, reset (see overlay-store.ts).
 */
export default defineScenario({
  name: 'overlay-store-snapshot',
  summary: 'rd.live.overlay=DEVICE:FILE: a device-mapper snapshot in a file on a disk keeps data across network boots; readonly keeps no new write, reset empties it',
  publish: { protocol: 'http' },
  ...overlayStoreLifecycle('snapshot-file'),
});
