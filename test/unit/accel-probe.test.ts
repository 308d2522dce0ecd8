import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTLE_MS, judgeProbe, probeKvm, type ProbeEvent } from '../../harness/qemu/accel-probe.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

const settle = 3_000;

describe('KVM probe verdict', () => {
  it('waits while nothing decisive was seen and the settle time runs', () => {
    expect(judgeProbe([], 0, settle)).toBeUndefined();
    expect(judgeProbe([{ kind: 'reset', atMs: 400 }], 2_999, settle)).toBeUndefined();
  });

  it('calls a second RESET a reset loop at once, without waiting for the settle time', () => {
    const loop: ProbeEvent[] = [{ kind: 'reset', atMs: 300 }, { kind: 'reset', atMs: 650 }];
    const verdict = judgeProbe(loop, 700, settle);
    expect(verdict?.usable).toBe(false);
    expect(verdict?.detail).toContain('reset loop');
    expect(verdict?.detail).toContain('0.7 s');
  });

  it('is usable at the first PXE request, also after a single RESET, but not after a loop', () => {
    expect(judgeProbe([{ kind: 'packet', atMs: 2_300 }], 2_300, settle)).toEqual({
      usable: true,
      detail: 'the firmware sent its first PXE request 2.3 s after start under KVM',
    });
    const once = judgeProbe([{ kind: 'reset', atMs: 200 }, { kind: 'packet', atMs: 2_500 }], 2_500, settle);
    expect(once?.usable).toBe(true);
    expect(once?.detail).toContain('after one reset');
    // Events count in time order, whatever order the list has.
    const loopFirst = judgeProbe([{ kind: 'packet', atMs: 2_500 }, { kind: 'reset', atMs: 200 }, { kind: 'reset', atMs: 900 }], 2_500, settle);
    expect(loopFirst?.usable).toBe(false);
  });

  it('is not usable when QEMU stops the guest, with the KVM error from stderr and without its warnings', () => {
    const stderr = [
      "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.01H:ECX.pni [bit 0]",
      'KVM internal error. Suberror: 1',
      'extra data[0]: 0x0000000000000001',
      'EFER=0000000000000000',
    ].join('\n');
    expect(judgeProbe([{ kind: 'stop', atMs: 283 }], 300, settle, stderr)).toEqual({
      usable: false,
      detail: 'QEMU stopped the guest 0.3 s after start under KVM: KVM internal error. Suberror: 1',
    });
  });

  it('is not usable when QEMU ends or the guest panics', () => {
    const ended = judgeProbe([{ kind: 'exit', atMs: 50 }], 60, settle, 'qemu-system-x86_64: -accel kvm: failed to initialize kvm: Permission denied\n');
    expect(ended).toEqual({
      usable: false,
      detail: 'QEMU with KVM ended 0.1 s after start: qemu-system-x86_64: -accel kvm: failed to initialize kvm: Permission denied',
    });
    expect(judgeProbe([{ kind: 'exit', atMs: 50 }], 60, settle)?.detail).toBe('QEMU with KVM ended 0.1 s after start');
    expect(judgeProbe([{ kind: 'panic', atMs: 900 }], 900, settle)?.usable).toBe(false);
  });

  it('is not usable when the settle time passes without a PXE request', () => {
    expect(judgeProbe([], 3_000, settle)).toEqual({
      usable: false,
      detail: 'the firmware sent no PXE request within 3.0 s under KVM (it hangs or runs far too slowly)',
    });
    expect(judgeProbe([{ kind: 'reset', atMs: 100 }], 3_010, settle)?.detail).toContain('after one reset');
  });
});

// On these machines /dev/kvm is a paravirtual KVM under which SeaBIOS never gets iPXE to the
// network; elsewhere KVM may work. Either way the probe must answer within its settle time with
// a detail that matches its answer, and leave nothing behind.
describe.skipIf(!existsSync('/dev/kvm'))('KVM probe on this host', () => {
  let before: Leftovers;
  beforeAll(async () => {
    before = await leftovers();
  });
  afterAll(async () => {
    expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  });

  it('answers within the settle time and says why', async () => {
    const started = performance.now();
    const probe = await probeKvm();
    const tookMs = performance.now() - started;
    expect(probe.detail).toMatch(probe.usable ? /PXE request/ : /reset loop|no PXE request|stopped the guest|ended/);
    expect(tookMs).toBeLessThan(DEFAULT_SETTLE_MS + 2_000);
  });
});
