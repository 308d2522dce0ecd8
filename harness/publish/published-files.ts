import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { inputError } from '../errors.js';

export interface PublishedFile {
  /** The URL path, e.g. /image/fixture.iso. */
  urlPath: string;
  filePath: string;
  sizeBytes: number;
}

/**
 * The exact set of files a publisher serves. Requests are looked up in this map and never joined
 * onto a directory, so no path outside it (.., symlinks, encoded slashes) can be reached.
 */
export class PublishedFiles {
  private readonly files = new Map<string, PublishedFile>();

  static async of(entries: { urlPath: string; filePath: string }[]): Promise<PublishedFiles> {
    const published = new PublishedFiles();
    for (const entry of entries) {
      const urlPath = posix.normalize('/' + entry.urlPath);
      const info = await stat(entry.filePath).catch((cause) => {
        throw inputError(`cannot publish ${entry.filePath}: ${(cause as Error).message}`, entry.filePath, 'pass an existing file', cause);
      });
      published.files.set(urlPath, { urlPath, filePath: entry.filePath, sizeBytes: info.size });
    }
    return published;
  }

  /** The published file at exactly this path (after resolving . and .. textually), or undefined. */
  lookup(requestPath: string, cwd = '/'): PublishedFile | undefined {
    if (requestPath.includes('\0')) return undefined;
    return this.files.get(posix.resolve(cwd, requestPath));
  }

  /** True when some published file lies below this directory. */
  hasDirectory(dir: string): boolean {
    const prefix = dir.endsWith('/') ? dir : dir + '/';
    return [...this.files.keys()].some((p) => p.startsWith(prefix));
  }

  list(): PublishedFile[] {
    return [...this.files.values()];
  }
}
