import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { FIRMWARES } from '../firmware/index.js';
import { LIVE_MODULES } from '../live/index.js';
import { splitFirmware } from './firmware-matrix.js';

/** A known defect of the ISO or of KIWI: a boot that fails this way is an expected failure. */
export interface KnownIssue {
  /** The scenario's name (without a firmware suffix such as @uefi). */
  scenario: string;
  /** Only on this firmware (bios, uefi); on every firmware when absent. */
  firmware?: string;
  /**
   * Only when this live module boots the ISO (kiwi-live, dmsquash): a defect of one module's code
   * is no defect of the other, whose pass must not read as "fixed" (XPASS). Any module when absent.
   */
  liveModule?: string;
  /** Only on this architecture (x86_64, aarch64); on every architecture when absent. */
  arch?: string;
  /** The boot's name; a failure in another boot is not this issue. */
  boot: string;
  /** A regular expression the failing boot's reason must match. */
  reason: string;
  why: string;
  link: string;
}

export async function loadKnownIssues(path: string): Promise<KnownIssue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw inputError(`known-issues file ${path} cannot be read as JSON: ${(cause as Error).message}`, path, 'fix the file or pass another with --known-issues', cause);
  }
  if (!Array.isArray(parsed)) throw inputError(`known-issues file ${path} must hold a JSON array`, path, 'write [ {scenario, boot, reason, why, link}, ... ]');
  return parsed.map((entry, i) => {
    const e = entry as Partial<KnownIssue>;
    for (const key of ['scenario', 'boot', 'reason', 'why', 'link'] as const) {
      if (typeof e[key] !== 'string' || !e[key]) throw inputError(`known issue #${i + 1} in ${path} lacks "${key}"`, path, 'give every entry scenario, boot, reason, why and link');
    }
    for (const key of ['firmware', 'liveModule', 'arch'] as const) {
      if (e[key] !== undefined && (typeof e[key] !== 'string' || !e[key])) throw inputError(`known issue #${i + 1} in ${path}: "${key}" must be a name, got ${JSON.stringify(e[key])}`, path, `write e.g. "firmware": "${Object.keys(FIRMWARES).at(-1)}" or "liveModule": "${Object.keys(LIVE_MODULES)[0]}", or leave it out`);
    }
    try {
      new RegExp(e.reason!);
    } catch (cause) {
      throw inputError(`known issue #${i + 1} in ${path}: reason is not a valid regular expression: ${JSON.stringify(e.reason)}`, path, 'fix the pattern', cause);
    }
    return e as KnownIssue;
  });
}

/** A boot that ended: its scenario run (`name` or `name@firmware`), boot, firmware and live module. */
export interface KnownIssueContext {
  scenario: string;
  boot: string;
  firmware: string;
  liveModule: string;
  /** The guest's architecture. */
  arch: string;
}

/** Does the issue concern this scenario, on this firmware and live module (whichever boot)? */
export function concernsScenario(issue: KnownIssue, at: Omit<KnownIssueContext, 'boot'>): boolean {
  const { scenario } = splitFirmware(at.scenario);
  return (issue.scenario === at.scenario || issue.scenario === scenario)
    && (!issue.firmware || issue.firmware === at.firmware) && (!issue.liveModule || issue.liveModule === at.liveModule)
    && (!issue.arch || issue.arch === at.arch);
}

/** Does the issue concern this boot? */
function concerns(issue: KnownIssue, at: KnownIssueContext): boolean {
  return concernsScenario(issue, at) && issue.boot === at.boot;
}

export function findKnownIssue(issues: readonly KnownIssue[], at: KnownIssueContext, reason: string): KnownIssue | undefined {
  return issues.find((i) => concerns(i, at) && new RegExp(i.reason, 's').test(reason));
}

/** Known issues of a boot that now passes: the defect seems fixed. */
export function knownIssuesOf(issues: readonly KnownIssue[], at: KnownIssueContext): KnownIssue[] {
  return issues.filter((i) => concerns(i, at));
}
