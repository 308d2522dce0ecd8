import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * Points the harness's cache (PXE_HARNESS_CACHE) at a fresh temp folder for the tests of the file
 * that calls it, then removes the folder and puts the variable back as it was. Returns the
 * folder's path (known once the tests run).
 */
export function useTempHarnessCache(prefix: string): () => string {
  const saved = process.env.PXE_HARNESS_CACHE;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    process.env.PXE_HARNESS_CACHE = dir;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.PXE_HARNESS_CACHE;
    else process.env.PXE_HARNESS_CACHE = saved;
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('useTempHarnessCache: the cache folder exists only while the tests run');
    return dir;
  };
}
