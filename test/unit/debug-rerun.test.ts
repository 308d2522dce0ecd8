import { describe, expect, it } from 'vitest';
import type { BootPlan } from '../../harness/engine/boot-plan.js';
import type { BootRun } from '../../harness/engine/boot-session.js';
import { earnsDebugRerun, withDebugRerun } from '../../harness/engine/debug-rerun.js';
import type { BootResult } from '../../harness/scenario/result.js';

// The rule of the rerun and what it adds, with a stand-in for the boot (its real boots: broken-url
// in the boot tier, whose rerun keeps kiwi-live's debug log).
const plan = { blame: { beforeInitrd: (phase: string) => ['firmware', 'pxelinux', 'kernel'].includes(phase), loaderPhases: ['pxelinux'], hostSignatures: [] } } as unknown as BootPlan;
const run = (over: Partial<BootRun['boot']> = {}, env: Partial<BootRun['env']> = {}) =>
  ({ boot: { name: 'b', from: 'network', checks: [], ...over }, env: { ...env }, artifactsDir: '/out/s/boot-1', runtimeDir: '/tmp/r/boot-1' }) as unknown as BootRun;
const result = (verdict: BootResult['verdict'], phase: string, login?: number) =>
  ({ verdict, phase, reason: `${verdict} in ${phase}`, timeline: login === undefined ? {} : { login }, artifactsDir: '/out/s/boot-1' }) as unknown as BootResult;

describe('the debug rerun of a failed boot', () => {
  it('is earned by a FAIL in the initrd of a network boot that did not ask for debug evidence, and by nothing else', () => {
    const failed = result('FAIL', 'fetch-root');
    expect(earnsDebugRerun(run(), plan, failed, failed)).toBe(true);
    expect(earnsDebugRerun(run({}, { debugRerun: false }), plan, failed, failed), '--debug-rerun off').toBe(false);
    expect(earnsDebugRerun(run({ debugEvidence: true }), plan, failed, failed), 'evidence asked for already').toBe(false);
    expect(earnsDebugRerun(run({ from: 'disk' }), plan, failed, failed), 'a disk boot').toBe(false);
    expect(earnsDebugRerun(run(), plan, result('FAIL', 'pxelinux'), result('FAIL', 'pxelinux')), 'before the initrd: no module trace exists').toBe(false);
    expect(earnsDebugRerun(run(), plan, result('FAIL', 'login', 90_000), result('FAIL', 'login', 90_000)), 'after the login').toBe(false);
    expect(earnsDebugRerun(run(), plan, result('ERROR', 'fetch-root'), result('ERROR', 'fetch-root')), 'an ERROR').toBe(false);
    expect(earnsDebugRerun(run(), plan, failed, result('PASS', 'fetch-root')), 'an expected failure').toBe(false);
    expect(earnsDebugRerun(run(), plan, failed, result('XFAIL', 'fetch-root')), 'a known issue').toBe(false);
    expect(earnsDebugRerun(run(), plan, result('PASS', 'login', 1), result('FAIL', 'login', 1)), 'booted where it should have failed').toBe(false);
    const aborted = new AbortController();
    aborted.abort();
    expect(earnsDebugRerun(run({}, { signal: aborted.signal }), plan, failed, failed), 'the run was stopped').toBe(false);
  });

  it('boots with debug evidence into <boot>-debug on the disks as they were; the verdict stays, the reason names the evidence', async () => {
    const calls: string[] = [];
    const rerun = async (again: BootRun) => {
      calls.push(`boot ${again.artifactsDir} ${again.runtimeDir} debug=${again.boot.debugEvidence}`);
      return { ...result('FAIL', 'fetch-root'), artifactsDir: again.artifactsDir, debugEvidence: 'the live module\'s debug evidence (boot.kiwi) is in X; curl said: curl: (22) 404' } as BootResult;
    };
    const judged = await withDebugRerun(run(), result('FAIL', 'fetch-root'), rerun, async () => void calls.push('restore'));
    expect(calls).toEqual(['restore', 'boot /out/s/boot-1-debug /tmp/r/boot-1-debug debug=true']);
    expect(judged.verdict).toBe('FAIL');
    expect(judged.reason).toBe("FAIL in fetch-root; booted again with the live module's debug log on (/out/s/boot-1-debug): the live module's debug evidence (boot.kiwi) is in X; curl said: curl: (22) 404");
    expect(judged.debugRerun).toEqual({ artifactsDir: '/out/s/boot-1-debug', verdict: 'FAIL', evidence: expect.stringContaining('curl: (22) 404') });
  });

  it('says so when the rerun booted (the failure did not repeat)', async () => {
    const judged = await withDebugRerun(run(), result('FAIL', 'fetch-root'), async (again) => ({ ...result('PASS', 'login', 1), artifactsDir: again.artifactsDir }), undefined);
    expect(judged.verdict).toBe('FAIL');
    expect(judged.reason).toMatch(/: it booted this time \(a failure that does not repeat\)$/);
  });
});
