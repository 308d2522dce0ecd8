import { lstat, mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { inputError } from '../errors.js';

/** A path that names no folder to check, with the reason. */
const unusable = (outDir: string, why: string, fix = 'pass a folder you can write to with --out, e.g. --out out', cause?: unknown) =>
  inputError(`output folder ${JSON.stringify(outDir)} cannot be used: ${why}`, outDir, fix, cause);

/**
 * Checks that the output folder is, or can become, a folder the run can write to, without
 * creating anything: the nearest part of the path that exists must be a folder that takes a new
 * folder (a probe folder made and removed at once). Refuses at once what recursive mkdir would
 * never finish: Node's mkdir({ recursive: true }) spins forever on a path under /proc (mkdir
 * there says ENOENT, so it makes the parent, which exists, and tries again) or under a dangling
 * symbolic link. Returns the absolute folder and the parts of it still to be made.
 */
export async function checkOutputFolder(outDir: string): Promise<{ path: string; missing: string[] }> {
  if (outDir.trim() === '') throw unusable(outDir, 'the path is empty', 'pass a folder with --out, e.g. --out out');
  if (outDir.includes('\0')) throw unusable(outDir, 'the path holds a NUL byte');
  const path = resolve(outDir);
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    const info = await stat(existing).catch((e: NodeJS.ErrnoException) => e);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw unusable(outDir, `${existing} is a file, not a folder`);
      break;
    }
    if (info.code === 'ENOTDIR') throw unusable(outDir, `a part of ${path} is a file, not a folder`, undefined, info);
    if (info.code !== 'ENOENT') throw unusable(outDir, `${existing} cannot be looked at (${info.code})`, undefined, info);
    if ((await lstat(existing).catch(() => undefined))?.isSymbolicLink()) {
      throw unusable(outDir, `${existing} is a symbolic link to something that does not exist`, 'create the target of the link, or pass another folder with --out', info);
    }
    if (dirname(existing) === existing) throw unusable(outDir, 'no part of the path exists');
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  try {
    await rmdir(await mkdtemp(join(existing, '.pxe-harness-out-check-')));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    // /proc says ENOENT and /sys EPERM to a new folder in a folder that exists, even to root.
    const why: Record<string, string> = {
      ENOENT: `${existing} takes no new folders (ENOENT: a kernel file system such as /proc?)`,
      EPERM: `${existing} takes no new folders (EPERM: a kernel file system such as /sys?)`,
      EACCES: `${existing} is not writable for this user (EACCES)`,
      EROFS: `${existing} is on a read-only file system (EROFS)`,
      ENOSPC: `the disk of ${existing} is full (ENOSPC)`,
      EDQUOT: `the disk quota of ${existing} is used up (EDQUOT)`,
    };
    throw unusable(outDir, why[code] ?? `${existing} takes no new folders (${code})`);
  }
  return { path, missing };
}

/** Makes the output folder after checkOutputFolder, one part at a time (never mkdir -p: see there). */
export async function ensureOutputFolder(outDir: string): Promise<string> {
  const { path, missing } = await checkOutputFolder(outDir);
  let made = resolve(path, ...missing.map(() => '..'));
  for (const part of missing) {
    made = join(made, part);
    try {
      await mkdir(made);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(made).catch(() => undefined))?.isDirectory()) continue;
      throw unusable(outDir, `${made} cannot be made: ${(cause as Error).message}`, undefined, cause);
    }
  }
  return path;
}

