import { randomUUID } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScenarioResult } from '../scenario/result.js';
import type { ScenarioJob } from './firmware-matrix.js';

/**
 * What each scenario took when it last ran into this output folder, per live module (a dmsquash
 * boot is not a kiwi-live boot), kept as `durations.json` beside the reports, as Playwright and
 * vitest keep test durations: a run starts its longest scenarios first, so that the lanes end
 * close together instead of one long scenario running alone at the end while the other cores
 * idle. A new output folder has none: its run starts the scenarios in the order they are listed.
 */
export type Durations = Record<string, number>;

const fileIn = (outDir: string) => join(outDir, 'durations.json');
const keyOf = (liveModule: string, scenario: string) => `${liveModule}/${scenario}`;

/** The durations recorded so far; none when nothing was recorded or the file cannot be read. */
export async function readDurations(outDir: string): Promise<Durations> {
  const text = await readFile(fileIn(outDir), 'utf8').catch(() => '{}');
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, ms]) => typeof ms === 'number' && Number.isFinite(ms)));
  } catch {
    return {};
  }
}

/**
 * The order to start jobs in: longest recorded first; a job with no record counts as longest (a
 * new scenario may be long, and starting it early costs nothing when it is not); ties keep the
 * jobs' order. Returns indices into `jobs` (results keep the jobs' order whatever the start order).
 */
export function longestFirst(jobs: readonly ScenarioJob[], liveModule: string, durations: Durations): number[] {
  return longestFirstAcross([{ jobs, liveModule, durations }]).map((j) => j.index);
}

/** The jobs of one project (one ISO) and the durations recorded in its output folder. */
export interface ProjectJobs {
  jobs: readonly ScenarioJob[];
  liveModule: string;
  durations: Durations;
}

/**
 * longestFirst over the jobs of several projects in one pool: each job by what it took in its own
 * project's folder; ties keep the projects' order, then the jobs'.
 */
export function longestFirstAcross(projects: readonly ProjectJobs[]): { project: number; index: number }[] {
  const expected = projects.flatMap((p, project) =>
    p.jobs.map((job, index) => ({ project, index, ms: p.durations[keyOf(p.liveModule, job.scenario.name)] ?? Number.POSITIVE_INFINITY })),
  );
  return expected.sort((a, b) => b.ms - a.ms || a.project - b.project || a.index - b.index).map(({ project, index }) => ({ project, index }));
}

/**
 * Records the run's durations (scenarios that booted: a SKIP took nothing), written whole or not
 * at all. A file that cannot be written (a full disk) only costs the next run its order, never a verdict.
 */
export function recordDurations(outDir: string, liveModule: string, results: readonly ScenarioResult[]): Promise<void> {
  // One after another per folder in this process (runs side by side may share a folder): each
  // reads what the one before it wrote.
  const record = (recording.get(outDir) ?? Promise.resolve()).then(() => writeDurations(outDir, liveModule, results));
  recording.set(outDir, record);
  return record;
}

const recording = new Map<string, Promise<void>>();

async function writeDurations(outDir: string, liveModule: string, results: readonly ScenarioResult[]): Promise<void> {
  const durations = await readDurations(outDir);
  for (const r of results) if (r.boots.length) durations[keyOf(liveModule, r.name)] = r.durationMs;
  const part = `${fileIn(outDir)}.part-${process.pid}-${randomUUID()}`;
  await writeFile(part, `${JSON.stringify(durations, null, 2)}\n`)
    .then(() => rename(part, fileIn(outDir)))
    .catch(() => rm(part, { force: true }).catch(() => undefined));
}
