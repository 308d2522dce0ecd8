import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { inputError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';

export interface LoaderFiles {
  kernelPath: string;
  initrdPath: string;
}

/**
 * Extracts the kernel and initrd out of the ISO with xorriso: no mount, no root. Where they are
 * depends on the live module's build (KIWI: /boot/x86_64/loader). An ISO without them gets an
 * error naming the ISO and the missing file.
 */
export async function extractLoaderFiles(isoPath: string, destDir: string, locations: { kernel: string; initrd: string }): Promise<LoaderFiles> {
  const xorriso = await requireTool('xorriso');
  await mkdir(destDir, { recursive: true });
  const files = { kernelPath: join(destDir, 'linux'), initrdPath: join(destDir, 'initrd') };
  const result = await execa(
    xorriso,
    ['-osirrox', 'on', '-indev', isoPath, '-extract', locations.kernel, files.kernelPath, '-extract', locations.initrd, files.initrdPath],
    { reject: false, all: true },
  );
  for (const [inIso, path] of [[locations.kernel, files.kernelPath], [locations.initrd, files.initrdPath]] as const) {
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size === 0) {
      throw inputError(
        `ISO ${isoPath} has no ${inIso}: it is not a KIWI live ISO for x86_64`,
        isoPath,
        `pass a KIWI live ISO that contains ${locations.kernel} and ${locations.initrd}`,
        new Error(String(result.all ?? '').trim().split('\n').slice(-5).join('\n')),
      );
    }
    // xorriso copies the ISO's read-only modes; the temp dir must be removable by its owner.
    await chmod(path, 0o644);
  }
  return files;
}

/**
 * Copies files out of the ISO (paths in the ISO to paths on the host) with xorriso, no mount; a file
 * the ISO lacks is an error naming it. For the programs a loader boots from the ISO (its shim).
 */
export async function extractIsoFiles(isoPath: string, files: readonly { inIso: string; dest: string }[]): Promise<void> {
  const xorriso = await requireTool('xorriso');
  const args = ['-osirrox', 'on', '-indev', isoPath, ...files.flatMap((f) => ['-extract', f.inIso, f.dest])];
  const result = await execa(xorriso, args, { reject: false, all: true });
  for (const file of files) {
    const size = await stat(file.dest).then((s) => s.size, () => 0);
    if (size === 0) throw inputError(`ISO ${isoPath} has no ${file.inIso}`, isoPath, `pass an ISO that contains ${file.inIso}`, new Error(String(result.all ?? '').trim().split('\n').slice(-5).join('\n')));
    await chmod(file.dest, 0o644);
  }
}
