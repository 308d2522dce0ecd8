import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of pxe-harness's package.json, from the source tree or from dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'images'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the pxe-harness package root');
    dir = parent;
  }
  return dir;
}
