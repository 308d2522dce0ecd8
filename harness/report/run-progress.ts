import type { ScenarioResult } from '../scenario/result.js';

/** A run as far as it went: the results so far and, when the plan is known, the scenarios not run. */
export interface RunSoFar {
  /** false while the run goes on (the file written after a scenario), true at the run's end. */
  complete: boolean;
  results: ScenarioResult[];
  /** The planned scenarios without a result (absent when the reporter was not told the plan). */
  notRun?: string[];
}

/**
 * What a reporter that rewrites its file after each scenario keeps of the run: the plan
 * (onRunStart) and the results in the order they came. The results so far are given in the plan's
 * order, as the run's end gives them (those not in the plan last).
 */
export function runProgress() {
  let planned: string[] | undefined;
  const done: ScenarioResult[] = [];
  const notRun = (results: readonly ScenarioResult[]) => {
    if (!planned) return {};
    const ran = new Set(results.map((r) => r.name));
    return { notRun: planned.filter((name) => !ran.has(name)) };
  };
  const place = (r: ScenarioResult) => {
    const at = planned?.indexOf(r.name) ?? -1;
    return at < 0 ? Number.MAX_SAFE_INTEGER : at;
  };
  return {
    plan(scenarios: readonly { name: string }[]): void {
      planned = scenarios.map((s) => s.name);
    },
    /** Adds a scenario's result; the run so far, with it. */
    add(result: ScenarioResult): RunSoFar {
      done.push(result);
      const results = [...done].sort((a, b) => place(a) - place(b));
      return { complete: false, results, ...notRun(results) };
    },
    /** The run at its end, with the results the run gives. */
    end(results: ScenarioResult[]): RunSoFar {
      return { complete: true, results, ...notRun(results) };
    },
  };
}
