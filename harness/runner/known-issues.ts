import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';
import { splitFirmware } from './firmware-matrix.js';

/** A known defect of the ISO or of KIWI: a boot that fails this way is an expected failure. */
export interface KnownIssue {
  /** The scenario's name (without a firmware suffix such as @uefi). */
  scenario: string;
  /** Only on this firmware (bios, uefi); on every firmware when absent. */
  firmware?: string;
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
    try {
      new RegExp(e.reason!);
    } catch (cause) {
      throw inputError(`known issue #${i + 1} in ${path}: reason is not a valid regular expression: ${JSON.stringify(e.reason)}`, path, 'fix the pattern', cause);
    }
    return e as KnownIssue;
  });
}

/** Does the issue concern this scenario run (`name` or `name@firmware`) on `firmware`? */
function concerns(issue: KnownIssue, scenarioRun: string, firmware: string, boot: string): boolean {
  const { scenario } = splitFirmware(scenarioRun);
  return (issue.scenario === scenarioRun || issue.scenario === scenario) && issue.boot === boot && (!issue.firmware || issue.firmware === firmware);
}

export function findKnownIssue(issues: readonly KnownIssue[], scenario: string, boot: string, reason: string, firmware = 'bios'): KnownIssue | undefined {
  return issues.find((i) => concerns(i, scenario, firmware, boot) && new RegExp(i.reason, 's').test(reason));
}

/** Known issues of a scenario whose boot now passes: the defect seems fixed. */
export function knownIssuesOf(issues: readonly KnownIssue[], scenario: string, boot: string, firmware = 'bios'): KnownIssue[] {
  return issues.filter((i) => concerns(i, scenario, firmware, boot));
}
