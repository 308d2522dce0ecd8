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
export async function extractLoaderFiles(isoPath: string, destDir: string, locations: { kernel: string; initrd: string }, arch: string): Promise<LoaderFiles> {
  await mkdir(destDir, { recursive: true });
  const files = { kernelPath: join(destDir, 'linux'), initrdPath: join(destDir, 'initrd') };
  await extractIsoFiles(isoPath, [{ inIso: locations.kernel, dest: files.kernelPath }, { inIso: locations.initrd, dest: files.initrdPath }], {
    why: `: it is not a KIWI live ISO for ${arch}`,
    fix: `pass a KIWI live ISO that contains ${locations.kernel} and ${locations.initrd}`,
  });
  return files;
}

/**
 * Copies files out of the ISO (paths in the ISO to paths on the host) with xorriso, no mount; a file
 * the ISO lacks (or holds empty) is an error naming it, with `refusal`'s words when given.
 */
export async function extractIsoFiles(isoPath: string, files: readonly { inIso: string; dest: string }[], refusal?: { why: string; fix: string }): Promise<void> {
  const xorriso = await requireTool('xorriso');
  const args = ['-osirrox', 'on', '-indev', isoPath, ...files.flatMap((f) => ['-extract', f.inIso, f.dest])];
  const result = await execa(xorriso, args, { reject: false, all: true });
  for (const file of files) {
    const size = await stat(file.dest).then((s) => s.size, () => 0);
    if (size === 0) {
      const xorrisoSaid = new Error(String(result.all ?? '').trim().split('\n').slice(-5).join('\n'));
      throw inputError(`ISO ${isoPath} has no ${file.inIso}${refusal?.why ?? ''}`, isoPath, refusal?.fix ?? `pass an ISO that contains ${file.inIso}`, xorrisoSaid);
    }
    // xorriso copies the ISO's read-only modes; the temp dir must be removable by its owner.
    await chmod(file.dest, 0o644);
  }
}
