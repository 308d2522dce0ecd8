import { readFile } from 'node:fs/promises';
import { inputError } from '../harness/errors.js';
import type { Baseline } from '../harness/report/baseline.js';
import type { ScenarioResult } from '../harness/scenario/result.js';

/** --regression-threshold PCT: a whole number of percent, 1 to 1000. */
export function parseThreshold(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= 1000)) throw inputError(`--regression-threshold must be a whole number of percent from 1 to 1000, got ${JSON.stringify(value)}`, `--regression-threshold ${value}`, 'pass e.g. --regression-threshold 25 (a phase 25 % slower than in the baseline fails the run)');
  return n;
}

/** --baseline FILE: an earlier run's results.json, read before anything boots. */
export async function readBaseline(file: string | undefined, thresholdPct: number | undefined): Promise<Baseline | undefined> {
  if (file === undefined) {
    if (thresholdPct !== undefined) throw inputError('--regression-threshold needs --baseline: there is nothing to be slower than', `--regression-threshold ${thresholdPct}`, 'pass --baseline OLD/results.json with it');
    return undefined;
  }
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw inputError(`--baseline ${file} cannot be read (${cause.code ?? cause.message})`, `--baseline ${file}`, 'pass the results.json of an earlier run', cause);
  });
  let parsed: { results?: unknown };
  try {
    parsed = JSON.parse(text) as { results?: unknown };
  } catch (cause) {
    throw inputError(`--baseline ${file} is not JSON`, `--baseline ${file}`, 'pass the results.json of an earlier run (written whole at its end)', cause);
  }
  if (!Array.isArray(parsed.results)) throw inputError(`--baseline ${file} holds no results (no "results" list): it is not a results.json`, `--baseline ${file}`, 'pass the results.json of an earlier run');
  return { file, results: parsed.results as ScenarioResult[], ...(thresholdPct === undefined ? {} : { thresholdPct }) };
}
