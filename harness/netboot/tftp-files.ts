import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NetbootFile } from './netboot-loader.js';

/**
 * PreparedNetboot.withhold for a loader whose files are in a TFTP root: removes the named one
 * (paths relative to the root); a file the loader does not serve from there is a RangeError.
 */
export function withholdFromTftpRoot(tftpRoot: string, files: Partial<Record<NetbootFile, string>>): (file: NetbootFile) => Promise<void> {
  return async (file) => {
    const path = files[file];
    if (!path) throw new RangeError(`netbootFault: this loader serves no ${file} from its TFTP root`);
    await rm(join(tftpRoot, path));
  };
}
