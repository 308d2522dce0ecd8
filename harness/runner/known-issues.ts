import { readFile } from 'node:fs/promises';
import { inputError } from '../errors.js';

/** A known defect of the ISO or of KIWI: a boot that fails this way is an expected failure. */
export interface KnownIssue {
  scenario: string;
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

export function findKnownIssue(issues: readonly KnownIssue[], scenario: string, boot: string, reason: string): KnownIssue | undefined {
  return issues.find((i) => i.scenario === scenario && i.boot === boot && new RegExp(i.reason, 's').test(reason));
}

/** Known issues of a scenario whose boot now passes: the defect seems fixed. */
export function knownIssuesOf(issues: readonly KnownIssue[], scenario: string, boot: string): KnownIssue[] {
  return issues.filter((i) => i.scenario === scenario && i.boot === boot);
}
