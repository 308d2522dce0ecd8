/*
 * The whole main job (`npm run main`: every scenario x firmware x live module on the built-in
 * fixtures), timed from outside as a user runs it, once per way of scheduling: one boot at a time
 * with two vCPUs, or two side by side with one each. Each way is its own block, written as soon
 * as it is measured: one way takes most of an hour on a 2-core machine.
 */
import { execa } from 'execa';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { cacheDir } from '../harness/util/cache-dir.js';
import { join } from 'node:path';
import { packageRoot } from '../harness/util/package-root.js';
import type { Section } from './measure.js';

export interface Scheduling { id: string; jobs: number; cpus: number; label: string }

export const SCHEDULINGS: Record<string, Scheduling> = {
  jobs1: { id: 'jobs1', jobs: 1, cpus: 2, label: 'one boot at a time, 2 vCPUs (--jobs 1 --cpus 2)' },
  jobs2: { id: 'jobs2', jobs: 2, cpus: 1, label: 'two side by side, 1 vCPU each (--jobs 2 --cpus 1)' },
};

const min = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** The main job's projects (scripts/main-job.config.ts), by the folders their results land in. */
const PROJECTS = [
  { dir: 'bios', label: 'kiwi-live, BIOS' },
  { dir: 'uefi', label: 'kiwi-live, UEFI' },
  { dir: 'uefi-secure', label: 'kiwi-live, Secure Boot' },
  { dir: 'dmsquash', label: 'dmsquash, both firmwares' },
  { dir: 'aarch64', label: 'kiwi-live on aarch64, UEFI (AAVMF)' },
];

interface BootRecord { durationMs?: number; events?: { id: string; startMs: number; endMs: number }[] }
interface ProjectSummary { label: string; finishedAtMs?: number; boots: number; bootSeconds: number; counts: Record<string, number>; notPassed: string[]; phaseMs: Record<string, number> }

async function projectSummary(outDir: string, project: (typeof PROJECTS)[number]): Promise<ProjectSummary> {
  // A run that ended before its reports (exit 2, a build that failed) has no results.json: no verdicts.
  // One killed half-way has a partial one ("complete": false, no finishedAt): its verdicts, no end.
  const text = await readFile(join(outDir, project.dir, 'results.json'), 'utf8').catch(() => undefined);
  const parsed = text ? (JSON.parse(text) as { finishedAt?: string; results: { name: string; verdict: string; durationMs?: number; boots?: BootRecord[] }[] }) : undefined;
  const results = parsed?.results ?? [];
  const counts: Record<string, number> = {};
  for (const r of results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  const boots = results.flatMap((r) => r.boots ?? []);
  return {
    label: project.label,
    finishedAtMs: parsed?.finishedAt ? Date.parse(parsed.finishedAt) : undefined,
    boots: boots.length,
    bootSeconds: results.reduce((sum, r) => sum + (r.durationMs ?? 0), 0) / 1000,
    counts,
    notPassed: results.filter((r) => r.verdict !== 'PASS' && r.verdict !== 'SKIP').map((r) => `${r.name} ${r.verdict}`),
    phaseMs: phaseTotals(boots),
  };
}

/** Each phase's time summed over boots (the timeline's phases; a transfer is inside its phase, not one). */
function phaseTotals(boots: readonly BootRecord[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const boot of boots) for (const e of boot.events ?? []) if (e.id !== 'transfer') totals[e.id] = (totals[e.id] ?? 0) + (e.endMs - e.startMs);
  return totals;
}

const verdictText = (counts: Record<string, number>) => Object.entries(counts).sort().map(([v, n]) => `${n} ${v}`).join(', ');

/** One table row per project: when its last scenario ended (from the run's start: all share one pool), its boots and their summed time. */
function projectRows(startedMs: number, projects: ProjectSummary[]): string {
  return projects.map((p) => {
    const end = p.finishedAtMs === undefined ? 'no results' : `after ${min(p.finishedAtMs - startedMs)}`;
    return `| ${p.label} | ${end} | ${p.boots} | ${(p.bootSeconds / 60).toFixed(1)} min | ${verdictText(p.counts)} | ${p.notPassed.join(', ') || '-'} |`;
  }).join('\n');
}

/** Where the lanes' time went: every boot's phases summed over the whole job, longest first. */
function phaseRows(projects: ProjectSummary[]): string {
  const totals: Record<string, number> = {};
  for (const p of projects) for (const [id, ms] of Object.entries(p.phaseMs)) totals[id] = (totals[id] ?? 0) + ms;
  const all = Object.values(totals).reduce((a, b) => a + b, 0) || 1;
  return Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([id, ms]) => `| ${id} | ${min(ms)} | ${Math.round((100 * ms) / all)} % |`).join('\n');
}

/**
 * The job's output folder, kept in the cache between bench runs with only each project's
 * durations.json in it, as `npm run main` into the same out/ keeps them: the run starts its
 * longest scenarios first when an earlier one recorded them. Says whether one had.
 */
async function reusedOutDir(way: Scheduling): Promise<{ outDir: string; warm: boolean }> {
  const outDir = join(cacheDir(), `bench-main-${way.id}`);
  await clearButDurations(outDir);
  const warm = (await Promise.all(PROJECTS.map((p) => stat(join(outDir, p.dir, 'durations.json')).then(() => true, () => false)))).some(Boolean);
  return { outDir, warm };
}

async function clearButDurations(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const project of await readdir(outDir)) {
    const dir = join(outDir, project);
    const entries = await readdir(dir).catch(() => undefined);
    if (!entries) await rm(dir, { force: true });
    else for (const entry of entries) if (entry !== 'durations.json') await rm(join(dir, entry), { recursive: true, force: true });
  }
}

export async function mainJobSection(way: Scheduling, log: (line: string) => void): Promise<Section> {
  const { outDir, warm } = await reusedOutDir(way);
  try {
    log(`main-job: ${way.label}, into ${outDir}`);
    const started = Date.now();
    const run = await execa('bash', ['scripts/main.sh', '--jobs', String(way.jobs), '--cpus', String(way.cpus), '--out', outDir], {
      cwd: packageRoot(), reject: false, all: true,
    });
    const wallMs = Date.now() - started;
    const projects = await Promise.all(PROJECTS.map((p) => projectSummary(outDir, p)));
    const total: Record<string, number> = {};
    for (const p of projects) for (const [v, n] of Object.entries(p.counts)) total[v] = (total[v] ?? 0) + n;
    const boots = projects.reduce((n, p) => n + p.boots, 0);
    const laneMinutes = projects.reduce((n, p) => n + p.bootSeconds, 0) / 60;
    log(`main-job: ${way.id} took ${min(wallMs)} (exit ${run.exitCode}): ${verdictText(total)}`);
    return {
      id: `main-job-${way.id}`,
      markdown: `### The main job, ${way.label}

\`npm run main -- --jobs ${way.jobs} --cpus ${way.cpus}\` on the built-in fixtures (fixtures already
built), timed from outside: **${min(wallMs)}** wall time, exit ${run.exitCode}; verdicts: ${verdictText(total)}.
Measured ${new Date(started).toISOString().slice(0, 16).replace('T', ' ')} UTC. One run, its projects in one worker pool
(scripts/main-job.config.ts; the prepare step is before the first boot): ${boots} boots,
${laneMinutes.toFixed(1)} lane-minutes of scenarios in all; ${warm ? 'longest first, from the durations an earlier main job recorded in the same folder' : 'no earlier durations: in the order the projects list them'}.

| project | last verdict | boots | scenarios' time, summed | verdicts | not PASS |
|---|---|---|---|---|---|
${projectRows(started, projects)}

Where the boots' time went, each phase summed over every boot (the phases of the timeline;
a boot that ended in a phase ends its sum there):

| phase | summed | share |
|---|---|---|
${phaseRows(projects)}
`,
    };
  } finally {
    // BENCH_KEEP_MAIN=1 keeps the main job's reports (every scenario's evidence) for a closer look;
    // the durations stay in any case, for the next measurement's order.
    if (process.env.BENCH_KEEP_MAIN === '1') log(`main-job: kept ${outDir}`);
    else await clearButDurations(outDir);
  }
}
