/*
 * The whole main job (`npm run main`: every scenario x firmware x live module on the built-in
 * fixtures), timed from outside as a user runs it, once per way of scheduling: one boot at a time
 * with two vCPUs, or two side by side with one each. Each way is its own block, written as soon
 * as it is measured: one way takes most of an hour on a 2-core machine.
 */
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../harness/util/package-root.js';
import type { Section } from './measure.js';

export interface Scheduling { id: string; jobs: number; cpus: number; label: string }

export const SCHEDULINGS: Record<string, Scheduling> = {
  jobs1: { id: 'jobs1', jobs: 1, cpus: 2, label: 'one boot at a time, 2 vCPUs (--jobs 1 --cpus 2)' },
  jobs2: { id: 'jobs2', jobs: 2, cpus: 1, label: 'two side by side, 1 vCPU each (--jobs 2 --cpus 1)' },
};

const min = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** The main job's three runs (scripts/main.sh), by the folders their results land in. */
const RUNS = [
  { dir: '', label: 'kiwi-live, BIOS' },
  { dir: 'uefi', label: 'kiwi-live, UEFI' },
  { dir: 'dmsquash', label: 'dmsquash, both firmwares' },
];

interface RunSummary { label: string; finishedAtMs?: number; bootSeconds: number; counts: Record<string, number>; notPassed: string[] }

async function runSummary(outDir: string, run: (typeof RUNS)[number]): Promise<RunSummary> {
  // A run that ended before its reports (exit 2, a build that failed) has no results.json: no verdicts.
  // One killed half-way has a partial one ("complete": false, no finishedAt): its verdicts, no wall time.
  const text = await readFile(join(outDir, run.dir, 'results.json'), 'utf8').catch(() => undefined);
  const parsed = text ? (JSON.parse(text) as { finishedAt?: string; results: { name: string; verdict: string; durationMs?: number }[] }) : undefined;
  const results = parsed?.results ?? [];
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  return {
    label: run.label,
    finishedAtMs: parsed?.finishedAt ? Date.parse(parsed.finishedAt) : undefined,
    bootSeconds: results.reduce((sum, r) => sum + (r.durationMs ?? 0), 0) / 1000,
    counts,
    notPassed: results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP').map((r) => `${r.name} ${r.verdict}`),
  };
}

const verdictText = (counts: Record<string, number>) => Object.entries(counts).sort().map(([v, n]) => `${n} ${v}`).join(', ');

/** One table row per run: when it ended after the one before (its wall time), and its scenarios' summed time. */
function runRows(startedMs: number, runs: RunSummary[]): string {
  let previousMs = startedMs;
  return runs.map((r) => {
    const wall = r.finishedAtMs === undefined ? 'no results' : min(r.finishedAtMs - previousMs);
    if (r.finishedAtMs !== undefined) previousMs = r.finishedAtMs;
    return `| ${r.label} | ${wall} | ${(r.bootSeconds / 60).toFixed(1)} min | ${verdictText(r.counts)} | ${r.notPassed.join(', ') || '-'} |`;
  }).join('\n');
}

export async function mainJobSection(way: Scheduling, log: (line: string) => void): Promise<Section> {
  const outDir = await mkdtemp(join(tmpdir(), `pxe-bench-main-${way.id}-`));
  try {
    log(`main-job: ${way.label}, into ${outDir}`);
    const started = Date.now();
    const run = await execa('bash', ['scripts/main.sh', '--jobs', String(way.jobs), '--cpus', String(way.cpus), '--out', outDir], {
      cwd: packageRoot(), reject: false, all: true,
    });
    const wallMs = Date.now() - started;
    const runs = await Promise.all(RUNS.map((r) => runSummary(outDir, r)));
    const total: Record<string, number> = {};
    for (const r of runs) for (const [v, n] of Object.entries(r.counts)) total[v] = (total[v] ?? 0) + n;
    log(`main-job: ${way.id} took ${min(wallMs)} (exit ${run.exitCode}): ${verdictText(total)}`);
    return {
      id: `main-job-${way.id}`,
      markdown: `### The main job, ${way.label}

\`npm run main -- --jobs ${way.jobs} --cpus ${way.cpus}\` on the built-in fixtures (fixtures already
built), timed from outside: **${min(wallMs)}** wall time, exit ${run.exitCode}; verdicts: ${verdictText(total)}.
Measured ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC. Per run (the prepare step is in the first):

| run | wall time | scenarios' time, summed | verdicts | not PASS |
|---|---|---|---|---|
${runRows(started, runs)}
`,
    };
  } finally {
    // BENCH_KEEP_MAIN=1 keeps the main job's reports (every scenario's evidence) for a closer look.
    if (process.env.BENCH_KEEP_MAIN === '1') log(`main-job: kept ${outDir}`);
    else await rm(outDir, { recursive: true, force: true });
  }
}
