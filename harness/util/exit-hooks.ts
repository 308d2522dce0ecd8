/*
 * Last-resort cleanup when the harness process itself exits (a crash, process.exit): synchronous
 * kills of whatever is still registered. The orderly path is each owner's stop(); this only makes
 * sure no QEMU outlives the harness.
 */
const hooks = new Set<() => void>();
let installed = false;

export function onProcessExit(hook: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const h of hooks) {
        try {
          h();
        } catch {
          /* keep going */
        }
      }
    });
  }
  hooks.add(hook);
  return () => hooks.delete(hook);
}
