import { ConsoleWaitError } from '../console/wait.js';
import { HarnessError, isHarnessError } from '../errors.js';
import { findKnownIssue, knownIssuesOf, type KnownIssue, type KnownIssueContext } from './known-issues.js';
import type { BootResult, Verdict } from '../scenario/result.js';
import type { BootDefinition } from '../scenario/define-scenario.js';

/**
 * How a boot's raw outcome becomes its verdict: infrastructure flakes, expected failures of
 * negative scenarios, and known defects. Pure functions of the result and the definitions.
 */

/** Where a phase sits in the boot, as far as blame goes. */
export interface PhaseBlame {
  /** Before the initrd runs: nothing has touched a disk yet, and a hang there is a host flake. */
  beforeInitrd(phase: string): boolean;
  /** The netboot loader's own phases: QEMU ending there is the loader's doing. */
  readonly loaderPhases: readonly string[];
  /** Fail signatures that are the host's fault in this boot (TCG's own races), whatever the phase. */
  readonly hostSignatures: readonly string[];
}

const NO_BLAME: PhaseBlame = { beforeInitrd: () => false, loaderPhases: [], hostSignatures: [] };

/** True when the error is a fail signature that blames the host, not the ISO. */
export const isHostFault = (error: unknown, blame: PhaseBlame): boolean =>
  error instanceof ConsoleWaitError && error.failure === 'signature' && blame.hostSignatures.includes(error.signature?.id ?? '');

export function verdictOf(error: unknown, blame: PhaseBlame = NO_BLAME): Verdict {
  // A guest that falls silent before its kernel reached the initrd, or a QEMU that dies before the
  // kernel printed anything (outside the loader), is a host/TCG flake (seen on these machines),
  // not the ISO's fault.
  if (isHostFault(error, blame)) return 'ERROR';
  const phase = error instanceof ConsoleWaitError ? (error.context.phase ?? '') : '';
  if (error instanceof ConsoleWaitError && blame.beforeInitrd(phase)) {
    if (error.failure === 'silence' || (error.failure === 'ended' && !blame.loaderPhases.includes(phase))) return 'ERROR';
  }
  return isHarnessError(error) && error.kind === 'boot' ? 'FAIL' : 'ERROR';
}

export function reasonOf(error: unknown): string {
  if (error instanceof HarnessError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * A FAIL in the netboot loader's own phases while a boot file the harness began serving (outcome
 * partial, or still running) had not reached the loader whole: the loader lost its transfer, which says nothing of the ISO (seen
 * once in a main job: lpxelinux bailed out within milliseconds of asking for the initrd while the
 * harness's server went on writing it; the same boot passed in every other run). An
 * infrastructure ERROR then, retried like one. A refused or missing file (not-found) is not "lost".
 */
export const loaderLostBootFile = (verdict: Verdict, phase: string, blame: PhaseBlame, lostBootFiles: readonly string[]): boolean =>
  verdict === 'FAIL' && lostBootFiles.length > 0 && blame.loaderPhases.includes(phase);

/**
 * A boot that ended in ERROR before the initrd ran has not touched the disks: it may run again.
 * One that the host broke later (a TCG race) may run again once its disks are restored. One
 * broken off from outside (see outsideCause) never runs again.
 */
export const retryable = (boot: BootResult, blame: PhaseBlame) =>
  boot.verdict === 'ERROR' && boot.outsideCause === undefined && (blame.beforeInitrd(boot.phase) || boot.hostFault === true);

/** A negative boot passes when it fails as declared, and fails when it passes or fails otherwise. */
export function applyExpectedFailure(result: BootResult, expected: BootDefinition['expectFailure']): BootResult {
  if (!expected || result.verdict === 'ERROR') return result;
  if (result.verdict === 'PASS') {
    const evidence = (result.checks ?? []).map((c) => `${c.name}: ${c.detail}`).join('; ');
    return { ...result, verdict: 'FAIL', reason: `expected a failure (${expected.why}), but the boot passed${evidence ? ` (${evidence})` : ''}` };
  }
  const phases = typeof expected.phase === 'string' ? [expected.phase] : expected.phase;
  const phaseOk = !phases || phases.includes(result.phase);
  if (expected.reason.test(result.reason) && phaseOk) {
    return { ...result, verdict: 'PASS', reason: `failed as expected (${expected.why}) in phase ${result.phase}: ${result.reason}` };
  }
  const wanted = `${expected.reason}${phases ? ` in phase ${phases.join(' or ')}` : ''}`;
  return { ...result, reason: `failed, but not as expected (${expected.why}; wanted ${wanted}, got phase ${result.phase}): ${result.reason}` };
}

/** A failure listed as a known defect is XFAIL; a pass despite one is XPASS. */
export function applyKnownIssues(result: BootResult, known: readonly KnownIssue[], at: KnownIssueContext): BootResult {
  if (result.verdict === 'FAIL') {
    const issue = findKnownIssue(known, at, result.reason);
    if (issue) return { ...result, verdict: 'XFAIL', reason: `known issue: ${issue.why} (${issue.link}); seen: ${result.reason}` };
  }
  if (result.verdict === 'PASS') {
    const fixed = knownIssuesOf(known, at);
    if (fixed.length) return { ...result, verdict: 'XPASS', reason: `passed despite a known issue, which seems fixed: remove it from the known issues (${fixed[0]!.link})` };
  }
  return result;
}
