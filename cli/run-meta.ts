import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../harness/util/package-root.js';
import { packageVersion } from '../harness/util/package-version.js';

/** The harness's own version, as npm knows it (package.json). */
export async function harnessVersion(): Promise<string> {
  const { version } = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return version;
}

/**
 * What a run's results say about the tools that judged them: the harness's and QEMU's versions
 * (Debian's qemu-system-x86), so that a result read later, or merged with another shard's, says
 * what produced it.
 */
export async function runMeta(): Promise<{ harness: { version: string }; qemu: { package: string; version: string } }> {
  const [version, qemu] = await Promise.all([harnessVersion(), packageVersion('qemu-system-x86')]);
  return { harness: { version }, qemu: { package: 'qemu-system-x86', version: qemu } };
}
