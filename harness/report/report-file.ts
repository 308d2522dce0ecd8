import { randomUUID } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { causeOf } from '../util/write-error.js';

/**
 * Writes `text` as `dir/fileName` so that no reader and no kill ever sees half of it: into a temp
 * file in the same folder (same file system), flushed to the disk, then renamed over the target
 * (atomic). After a host crash the file is the old one or the new one, whole. A write that fails
 * leaves the previous file as it was and no temp file, and throws an error naming the file, the
 * folder and the cause: "results.json could not be written in /out (ENOSPC: no space left on device)".
 */
export async function writeReportFile(dir: string, fileName: string, text: string): Promise<void> {
  const temp = join(dir, `.${fileName}.${randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, join(dir, fileName));
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new Error(`${fileName} could not be written in ${dir} (${causeOf(error)})`, { cause: error });
  }
}

/**
 * The writes of one report file, one after the other in the order asked (a scenario's write and
 * the run's final one never race, the last asked is the last on disk). Each call's promise
 * settles with its own write; a failed write does not stop the ones after it.
 */
export function reportFileWriter(dir: string, fileName: string): (text: string) => Promise<void> {
  let last: Promise<unknown> = Promise.resolve();
  return (text) => {
    const mine = last.then(() => writeReportFile(dir, fileName, text));
    last = mine.catch(() => undefined);
    return mine;
  };
}
