import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chooseAccel } from '../../cli/choose-accel.js';
import { ARCHITECTURES } from '../../harness/arch/index.js';
import { firmwareFor, probeMachine } from '../../harness/firmware/index.js';
import { cachedProbeKvm } from '../../harness/qemu/accel-cache.js';
import { HarnessError } from '../../harness/errors.js';
import { useTempHarnessCache } from '../helpers/temp-cache.js';

const cache = useTempHarnessCache('pxe-choose-accel-');
const { aarch64 } = ARCHITECTURES;

describe('the accelerator of a project, by the ISO\'s architecture', () => {
  afterEach(() => vi.restoreAllMocks());

  it('an ISO of another architecture than the host\'s boots under TCG without a probe and without a line', async () => {
    const said = vi.spyOn(process.stderr, 'write');
    expect(await chooseAccel('auto', undefined, aarch64, 'x64')).toBe('tcg');
    expect(await chooseAccel('auto', 'both', aarch64, 'x64')).toBe('tcg');
    expect(said).not.toHaveBeenCalled();
    // A probe would have left its answer in the cache.
    expect(await readdir(cache())).toEqual([]);
  });

  it('--accel kvm for an ISO of another architecture is refused as bad input, naming both', async () => {
    const refused = await chooseAccel('kvm', undefined, aarch64, 'x64').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HarnessError);
    expect(refused).toMatchObject({ kind: 'input', message: expect.stringMatching(/ISO is for aarch64, which KVM runs on arm64 hosts, and this host is x64/) });
  });

  it('on the architecture\'s own host it asks the probe of the architecture\'s firmware (AAVMF for aarch64), not x86_64\'s', async () => {
    // The answer seeded for AAVMF's machine: only a lookup of that machine finds it (OVMF's would probe for real).
    await cachedProbeKvm(probeMachine(firmwareFor('uefi', 'aarch64')), async () => ({ usable: true, detail: 'seeded for AAVMF' }));
    expect(await chooseAccel('auto', undefined, aarch64, 'arm64')).toBe('kvm');
    expect(await chooseAccel('tcg', undefined, aarch64, 'arm64')).toBe('tcg');
  });
});
