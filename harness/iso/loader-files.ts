import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { inputError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';

/** Where KIWI puts the kernel and initrd of an x86_64 live ISO (the seed's step 1). */
export const LOADER_DIR = '/boot/x86_64/loader';

export interface LoaderFiles {
  kernelPath: string;
  initrdPath: string;
}

/**
 * Extracts the kernel and initrd out of the ISO with xorriso: no mount, no root. An ISO without
 * them gets an error naming the ISO and the missing file.
 */
export async function extractLoaderFiles(isoPath: string, destDir: string): Promise<LoaderFiles> {
  const xorriso = await requireTool('xorriso');
  await mkdir(destDir, { recursive: true });
  const files = { kernelPath: join(destDir, 'linux'), initrdPath: join(destDir, 'initrd') };
  const result = await execa(
    xorriso,
    ['-osirrox', 'on', '-indev', isoPath, '-extract', `${LOADER_DIR}/linux`, files.kernelPath, '-extract', `${LOADER_DIR}/initrd`, files.initrdPath],
    { reject: false, all: true },
  );
  for (const [name, path] of [['linux', files.kernelPath], ['initrd', files.initrdPath]] as const) {
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size === 0) {
      throw inputError(
        `ISO ${isoPath} has no ${LOADER_DIR}/${name}: it is not a KIWI live ISO for x86_64`,
        isoPath,
        `pass a KIWI live ISO that contains ${LOADER_DIR}/linux and ${LOADER_DIR}/initrd`,
        new Error(String(result.all ?? '').trim().split('\n').slice(-5).join('\n')),
      );
    }
    // xorriso copies the ISO's read-only modes; the temp dir must be removable by its owner.
    await chmod(path, 0o644);
  }
  return files;
}
