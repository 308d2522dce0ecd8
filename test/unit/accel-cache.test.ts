import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedProbeKvm } from '../../harness/qemu/accel-cache.js';
import { QEMU_DEFAULT_MACHINE, type ProbeMachine } from '../../harness/qemu/accel-probe.js';
import { useTempHarnessCache } from '../helpers/temp-cache.js';

const cache = useTempHarnessCache('pxe-probe-cache-');

describe('the KVM probe, cached per host, kernel and QEMU', () => {
  it('probes once, then answers from the cache file without probing', async () => {
    let probes = 0;
    const probe = async () => ({ usable: false, detail: `the firmware started ${++probes + 2} times (a reset loop)` });
    const first = await cachedProbeKvm(QEMU_DEFAULT_MACHINE, probe);
    const second = await cachedProbeKvm(QEMU_DEFAULT_MACHINE, probe);
    expect(probes).toBe(1);
    expect(first).toEqual({ usable: false, detail: 'the firmware started 3 times (a reset loop)', cached: false });
    expect(second).toEqual({ ...first, cached: true });
    expect(await readdir(cache())).toEqual([expect.stringMatching(/^kvm-probe-[0-9a-f]{16}\.json$/)]);
  });

  it('probes again when the cache file is unreadable', async () => {
    const [file] = await readdir(cache());
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(cache(), file!), 'not json');
    let probes = 0;
    const answer = await cachedProbeKvm(QEMU_DEFAULT_MACHINE, async () => ({ usable: true, detail: `ran ${++probes}` }));
    expect(answer).toEqual({ usable: true, detail: 'ran 1', cached: false });
  });

  it('keeps one answer per machine: another firmware is probed on its own, with its own machine', async () => {
    const other: ProbeMachine = { id: 'other-firmware', machineType: 'q35', args: async () => [], settleMs: 10_000 };
    const probed: string[] = [];
    const probe = async (machine: ProbeMachine) => (probed.push(machine.id), { usable: machine.id === 'qemu-default', detail: `probed ${machine.id}` });
    const before = await readdir(cache());
    expect(await cachedProbeKvm(QEMU_DEFAULT_MACHINE, probe)).toMatchObject({ cached: true, detail: 'ran 1' });
    expect(await cachedProbeKvm(other, probe)).toEqual({ usable: false, detail: 'probed other-firmware', cached: false });
    expect(await cachedProbeKvm(other, probe)).toEqual({ usable: false, detail: 'probed other-firmware', cached: true });
    expect(probed).toEqual(['other-firmware']);
    expect((await readdir(cache())).length).toBe(before.length + 1);
  });
});
