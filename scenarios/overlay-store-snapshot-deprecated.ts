import { defineScenario } from '../harness/scenario/index.js';
import { overlayStoreLifecycle } from './overlay-store.js';

/**
 * overlay-store-snapshot spelt with dracut's names before 110 (rd.live.overlay=, .readonly,
 * .reset), which later dracut still reads: where the new rd.overlay=DEVICE:FILE loses the
 * snapshot under a temporary overlayfs (see known-issues.json), the old names keep it.
 */
export default defineScenario({
  name: 'overlay-store-snapshot-deprecated',
  summary: 'rd.live.overlay=DEVICE:FILE (the names before dracut 110): a device-mapper snapshot in a file on a disk keeps data across network boots; readonly keeps no new write, reset empties it',
  publish: { protocol: 'http' },
  ...overlayStoreLifecycle('snapshot-file', 'deprecated'),
});
