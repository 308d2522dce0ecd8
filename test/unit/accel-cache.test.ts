import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedProbeKvm } from '../../harness/qemu/accel-cache.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-probe-cache-'));
  process.env.PXE_HARNESS_CACHE = dir;
});
afterAll(async () => {
  delete process.env.PXE_HARNESS_CACHE;
  await rm(dir, { recursive: true, force: true });
});

describe('the KVM probe, cached per host, kernel and QEMU', () => {
  it('probes once, then answers from the cache file without probing', async () => {
    let probes = 0;
    const probe = async () => ({ usable: false, detail: `the firmware started ${++probes + 2} times (a reset loop)` });
    const first = await cachedProbeKvm(probe);
    const second = await cachedProbeKvm(probe);
    expect(probes).toBe(1);
    expect(first).toEqual({ usable: false, detail: 'the firmware started 3 times (a reset loop)', cached: false });
    expect(second).toEqual({ ...first, cached: true });
    expect(await readdir(dir)).toEqual([expect.stringMatching(/^kvm-probe-[0-9a-f]{16}\.json$/)]);
  });

  it('probes again when the cache file is unreadable', async () => {
    const [file] = await readdir(dir);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, file!), 'not json');
    let probes = 0;
    const answer = await cachedProbeKvm(async () => ({ usable: true, detail: `ran ${++probes}` }));
    expect(answer).toEqual({ usable: true, detail: 'ran 1', cached: false });
  });
});
