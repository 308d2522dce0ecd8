import { mkdir } from 'node:fs/promises';
import { snapshotDisks } from '../disk/disk-snapshot.js';
import { planBoot } from './boot-plan.js';
import { BootSession, type BootRun } from './boot-session.js';
import {
  awaitGoal, checkContext, judgeChecks, judgeError, judgeFailedTransfer, powerOffAndReadDisks, runChecks, screenshot, startMachine, watchConsole,
} from './boot-stages.js';
import type { WaitTarget } from '../console/wait.js';
import { withDebugEvidence } from './debug-evidence.js';
import { earnsDebugRerun, withDebugRerun } from './debug-rerun.js';
import type { BootResult } from '../scenario/result.js';
import { TeardownStack } from './teardown.js';
import { applyExpectedFailure, applyKnownIssues, retryable } from './verdict-rules.js';

export type { BootRun } from './boot-session.js';

/**
 * One boot of a scenario, then its verdict: retries of an infrastructure flake (RunOptions.retries,
 * one by default), the expected failure of a negative boot, and known issues applied.
 */
export async function runBoot(run: BootRun): Promise<BootResult> {
  const plan = planFor(run);
  await mkdir(run.runtimeDir, { recursive: true });
  const snapshot = run.disks.length ? await snapshotDisks(run.disks, run.runtimeDir) : undefined;
  let result = await bootOnce(new BootSession(run, plan));
  const flaky: string[] = [];
  const retries = run.env.retries ?? 1;
  while (flaky.length < retries && retryable(result, plan.blame) && !run.env.signal?.aborted) {
    // Again on the disks as they were; each flaky attempt stays in the reason and its artifacts
    // in their own folder (-retry, -retry2, ...).
    flaky.push(result.reason);
    await snapshot?.restore();
    const suffix = `-retry${flaky.length > 1 ? flaky.length : ''}`;
    result = await bootOnce(new BootSession({ ...run, artifactsDir: `${run.artifactsDir}${suffix}`, runtimeDir: `${run.runtimeDir}${suffix}` }, plan));
  }
  if (flaky.length) {
    const times = flaky.length === 1 ? 'once' : `${flaky.length} times`;
    result = { ...result, reason: `${result.reason} (after an infrastructure ERROR, retried ${times}: ${flaky.join('; ')})` };
  }
  const booted = result;
  result = applyExpectedFailure(result, run.boot.expectFailure);
  result = applyKnownIssues(result, run.env.knownIssues ?? [], { scenario: run.scenario.name, boot: run.boot.name, firmware: run.env.firmware.id, liveModule: run.env.liveModule.id, arch: run.env.arch.id });
  if (!earnsDebugRerun(run, plan, booted, result)) return result;
  return withDebugRerun(run, result, (again) => bootOnce(new BootSession(again, planFor(again))), snapshot ? () => snapshot.restore() : undefined);
}

/** The boot's choice on every axis, for its BootRun (a rerun with debug evidence has its own). */
const planFor = (run: BootRun) =>
  planBoot(run.scenario, run.boot, { firmware: run.env.firmware, arch: run.env.arch, netboot: run.env.netboot, liveModule: run.env.liveModule, liveFacts: run.env.iso.live, source: run.source, accel: run.env.machine.accel });

/**
 * The TFTP root and QEMU, the wait for the login prompt raced against every way it can fail,
 * the checks, a clean power-off and the disk evidence. Teardown runs in reverse, always.
 */
async function bootOnce(session: BootSession): Promise<BootResult> {
  const { run } = session;
  const teardown = new TeardownStack();
  let target: WaitTarget | undefined;
  try {
    const machine = await startMachine(session, teardown);
    if (run.env.attach?.when === run.index) {
      await run.env.attach.terminal(machine);
      return session.finish('PASS', 'reproduced with the console attached to the terminal (no checks)');
    }
    target = watchConsole(session, machine, teardown);
    const failedTransfer = await awaitGoal(session, target);
    if (failedTransfer) return await withDebugEvidence(session, target, await judgeFailedTransfer(session, target, failedTransfer));
    const context = checkContext(session, target);
    await runChecks(session, context, false);
    if (session.plan.checks.some((c) => !c.afterShutdown)) session.decidedAtMs = Date.now();
    await screenshot(machine, run.artifactsDir, 'screen-end.png');
    if (run.disks.length) {
      await powerOffAndReadDisks(session, context);
      await runChecks(session, context, true);
      session.decidedAtMs = Date.now();
    }
    return judgeChecks(session);
  } catch (error) {
    return await withDebugEvidence(session, target, await judgeError(session, error));
  } finally {
    await teardown.runAll();
  }
}
