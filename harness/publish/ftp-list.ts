import { posix } from 'node:path';
import type { PublishedFiles } from './published-files.js';

/**
 * The names a LIST or NLST answers: the published files directly in the folder named (the current
 * one when none is), or the file itself when it names a published file. Options as clients send
 * them (`LIST -la`) are ignored. Undefined when the path is neither a published folder nor a
 * published file (`NLST /etc`): the session answers 550, as RFC 959 has it for a file or folder
 * not found, rather than an empty 226 that would look like an empty folder that exists.
 */
export function listing(files: PublishedFiles, cwd: string, arg: string): string[] | undefined {
  const path = arg
    .split(/\s+/)
    .filter((word) => word && !word.startsWith('-'))
    .join(' ');
  const target = posix.resolve(cwd, path || '.');
  const file = files.lookup(target);
  if (file) return [posix.basename(file.urlPath)];
  if (target !== '/' && !files.hasDirectory(target)) return undefined;
  return files
    .list()
    .filter((f) => posix.dirname(f.urlPath) === target)
    .map((f) => posix.basename(f.urlPath));
}
