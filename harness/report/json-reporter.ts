import { relative } from 'node:path';
import type { ScenarioResult, Verdict } from '../scenario/result.js';
import { compareWithBaseline, type Baseline } from './baseline.js';
import { reportFileWriter } from './report-file.js';
import type { Reporter } from './reporter.js';
import { runProgress, type RunSoFar } from './run-progress.js';

/**
 * The version of results.json's shape. 1: schemaVersion, startedAt, counts, and every artifactsDir
 * relative to the output folder (a shard's folder moves; merge and CI artifacts read it elsewhere).
 */
export const RESULTS_SCHEMA_VERSION = 1;

const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'ERROR', 'XFAIL', 'XPASS', 'SKIP'];

/** How many scenarios got each verdict (every verdict named, 0 included). */
export function countVerdicts(results: readonly ScenarioResult[]): Record<Verdict, number> {
  return Object.fromEntries(VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length])) as Record<Verdict, number>;
}

/** The results with every folder (a scenario's, each boot's) mapped: made relative for results.json, absolute again by merge. */
export function mapFolders(results: readonly ScenarioResult[], map: (path: string) => string): ScenarioResult[] {
  return results.map((r) => ({ ...r, artifactsDir: map(r.artifactsDir), boots: r.boots.map((b) => ({ ...b, artifactsDir: map(b.artifactsDir) })) }));
}

/** The results with their folders relative to the output folder ('.' for the folder itself). */
const relativeFolders = (results: readonly ScenarioResult[], outDir: string) => mapFolders(results, (path) => relative(outDir, path) || '.');

/**
 * The text of results.json. At the run's end: the run's fields, finishedAt, `complete: true` and
 * every result (and `notRun` if the run was stopped before some). Part-way (a run killed after
 * it stays so): `complete: false`, no finishedAt but `writtenAt`, `notRun` (the planned scenarios
 * without a verdict yet, when known) and the results so far.
 */
export function renderResultsJson(run: RunSoFar, fields: Record<string, unknown>, outDir: string, now = new Date()): string {
  const { complete, results, notRun } = run;
  const when = complete ? { finishedAt: now.toISOString() } : { writtenAt: now.toISOString() };
  const missing = notRun && (!complete || notRun.length) ? { notRun } : {};
  const counts = countVerdicts(results);
  return JSON.stringify({ schemaVersion: RESULTS_SCHEMA_VERSION, ...fields, ...when, complete, counts, ...missing, results: relativeFolders(results, outDir) }, null, 2);
}

/**
 * results.json in the run's output folder: every verdict with its evidence, rewritten (atomically)
 * as each scenario ends, so that a run killed half-way keeps every verdict it finished.
 */
export function jsonReporter(outDir: string, meta: Record<string, unknown>, options: { baseline?: Baseline } = {}): Reporter {
  let info = {};
  const progress = runProgress();
  const write = reportFileWriter(outDir, 'results.json');
  return {
    name: 'json',
    onRunInfo(runInfo) {
      info = { ...info, liveModule: runInfo.liveModule, ...(runInfo.facts ? { isoFacts: runInfo.facts } : {}) };
    },
    onRunStart(scenarios) {
      progress.plan(scenarios);
      info = { ...info, startedAt: new Date().toISOString() };
    },
    async onScenarioEnd(result) {
      await write(renderResultsJson(progress.add(result), { ...meta, ...info }, outDir));
    },
    async onRunEnd(results) {
      const baseline = options.baseline ? { baseline: compareWithBaseline(results, options.baseline, options.baseline.thresholdPct) } : {};
      await write(renderResultsJson(progress.end(results), { ...meta, ...info, ...baseline }, outDir));
    },
  };
}
