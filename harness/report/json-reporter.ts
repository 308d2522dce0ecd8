import { reportFileWriter } from './report-file.js';
import type { Reporter } from './reporter.js';
import { runProgress, type RunSoFar } from './run-progress.js';

/**
 * The text of results.json. At the run's end: the run's fields, finishedAt, `complete: true` and
 * every result (and `notRun` if the run was stopped before some). Part-way (a run killed after
 * it stays so): `complete: false`, no finishedAt but `writtenAt`, `notRun` (the planned scenarios
 * without a verdict yet, when known) and the results so far.
 */
export function renderResultsJson(run: RunSoFar, fields: Record<string, unknown>, now = new Date()): string {
  const { complete, results, notRun } = run;
  const when = complete ? { finishedAt: now.toISOString() } : { writtenAt: now.toISOString() };
  const missing = notRun && (!complete || notRun.length) ? { notRun } : {};
  return JSON.stringify({ ...fields, ...when, complete, ...missing, results }, null, 2);
}

/**
 * results.json in the run's output folder: every verdict with its evidence, rewritten (atomically)
 * as each scenario ends, so that a run killed half-way keeps every verdict it finished.
 */
export function jsonReporter(outDir: string, meta: Record<string, unknown>): Reporter {
  let info = {};
  const progress = runProgress();
  const write = reportFileWriter(outDir, 'results.json');
  return {
    name: 'json',
    onRunInfo(runInfo) {
      info = { liveModule: runInfo.liveModule };
    },
    onRunStart(scenarios) {
      progress.plan(scenarios);
    },
    async onScenarioEnd(result) {
      await write(renderResultsJson(progress.add(result), { ...meta, ...info }));
    },
    async onRunEnd(results) {
      await write(renderResultsJson(progress.end(results), { ...meta, ...info }));
    },
  };
}
