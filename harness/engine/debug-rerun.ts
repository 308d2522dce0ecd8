import type { BootResult } from '../scenario/result.js';
import type { BootRun } from './boot-session.js';
import type { BootPlan } from './boot-plan.js';

/**
 * Whether a finished boot earns a rerun with the live module's debug evidence on: it FAILed in
 * the initrd (where the module's own trace exists: not in the firmware or the loader, and not
 * after the login, where the system's own evidence was already read), without having asked for
 * that evidence itself, and the run goes on. A boot that passed where it should have failed
 * (`booted` is false) has nothing to trace.
 */
export function earnsDebugRerun(run: BootRun, plan: BootPlan, booted: BootResult, judged: BootResult): boolean {
  return (
    run.env.debugRerun !== false && judged.verdict === 'FAIL' && booted.verdict === 'FAIL' && run.boot.from === 'network' && !run.boot.debugEvidence &&
    booted.timeline.login === undefined && !plan.blame.beforeInitrd(booted.phase) && !run.env.signal?.aborted
  );
}

/**
 * Playwright's "trace on first retry" for a live boot: the failed boot is booted once more, on the
 * disks as they were before it, with the module's debug log and dracut's emergency shell on, into
 * its own folder (<boot>-debug). The verdict stays the first boot's: the rerun only adds evidence,
 * named in the reason. Turning the debug log on changes what the module prints (dmsquash's
 * rd.live.debug sends its output to a file), so a first boot never carries it unasked.
 */
export async function withDebugRerun(
  run: BootRun,
  judged: BootResult,
  boot: (run: BootRun) => Promise<BootResult>,
  restoreDisks: (() => Promise<void>) | undefined,
): Promise<BootResult> {
  await restoreDisks?.();
  const rerun = await boot({ ...run, boot: { ...run.boot, debugEvidence: true }, artifactsDir: `${run.artifactsDir}-debug`, runtimeDir: `${run.runtimeDir}-debug` });
  const evidence = rerun.debugEvidence ?? (rerun.verdict === 'PASS' ? 'it booted this time (a failure that does not repeat)' : `it ended ${rerun.verdict} without the module's evidence: ${rerun.reason}`);
  return {
    ...judged,
    reason: `${judged.reason}; booted again with the live module's debug log on (${rerun.artifactsDir}): ${evidence}`,
    debugRerun: { artifactsDir: rerun.artifactsDir, verdict: rerun.verdict, ...(rerun.debugEvidence ? { evidence: rerun.debugEvidence } : {}) },
  };
}
