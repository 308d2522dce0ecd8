import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoaderFiles } from '../iso/loader-files.js';
import type { PreparedNetboot } from '../netboot/netboot-loader.js';
import type { BootDefinition } from '../scenario/define-scenario.js';

/** A scenario's broken netboot setup (BootDefinition.netbootFault), made before the guest starts. */

/**
 * The loader files the loader serves: the ISO's, or for an `altered` fault a copy of that one with
 * one byte flipped in its middle (what a publisher or a cache that damages a file does to it). The
 * copy is of this boot alone: the ISO's extracted files stay as they are.
 */
export async function loaderFilesFor(files: LoaderFiles, fault: BootDefinition['netbootFault'], runtimeDir: string): Promise<LoaderFiles> {
  const which = fault?.altered;
  if (!which) return files;
  const key = which === 'kernel' ? 'kernelPath' : 'initrdPath';
  const copy = join(runtimeDir, `altered-${which}`);
  await copyFile(files[key], copy);
  const handle = await open(copy, 'r+');
  try {
    const { size } = await handle.stat();
    const at = Math.floor(size / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
  return { ...files, [key]: copy };
}

/** A `missing` fault: the loader withholds the named file (a RangeError if it serves none). */
export async function withholdForFault(netboot: PreparedNetboot, fault: BootDefinition['netbootFault']): Promise<void> {
  if (fault?.missing) await netboot.withhold(fault.missing);
}
