import type { ScenarioResult } from '../harness/scenario/result.js';

/**
 * Exit codes follow the verdicts: 0 all passed (known issues that failed as known count as
 * passed), 1 a scenario failed or a known issue no longer fails, 2 bad input, a broken host or a
 * harness error.
 */
export function exitCodeFor(results: ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'ERROR')) return 2;
  if (results.some((r) => r.verdict === 'FAIL' || r.verdict === 'XPASS')) return 1;
  return 0;
}
