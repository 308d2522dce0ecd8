import { rm } from 'node:fs/promises';
import { afterAll, beforeEach } from 'vitest';

/**
 * A test file's own folder (reports, a packed project) is removed once its tests are done, so that
 * test runs on a CI machine do not fill its /tmp; it is kept, and its path printed, when one of
 * the file's tests failed (the evidence to read), when none ran (its beforeAll failed), or when
 * PXE_HARNESS_KEEP_TEST_OUTPUT=1 asks for it. Call at the top level of the test file; `dir` is
 * read when the tests are done.
 */
export function removeOnSuccess(dir: () => string | undefined, what: string): void {
  let started = 0;
  let failed = false;
  beforeEach(({ onTestFailed }) => {
    started += 1;
    onTestFailed(() => void (failed = true));
  });
  afterAll(async () => {
    const path = dir();
    if (path === undefined) return;
    if (failed || started === 0 || process.env.PXE_HARNESS_KEEP_TEST_OUTPUT === '1') {
      console.log(`${what} kept: ${path}`);
      return;
    }
    await rm(path, { recursive: true, force: true });
  });
}
