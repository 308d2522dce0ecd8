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

/** The main job's three runs (scripts/main.sh), by the folders their results land in. */
const RUN_DIRS = ['', 'uefi', 'dmsquash'];

async function verdictCounts(outDir: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const dir of RUN_DIRS) {
    // A run that ended before its reports (exit 2, a build that failed) has no results.json: no verdicts.
    const text = await readFile(join(outDir, dir, 'results.json'), 'utf8').catch(() => '{"results":[]}');
    for (const r of (JSON.parse(text) as { results: { verdict: string }[] }).results) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
  }
  return counts;
}

const min = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

export async function mainJobSection(way: Scheduling, log: (line: string) => void): Promise<Section> {
  const outDir = await mkdtemp(join(tmpdir(), `pxe-bench-main-${way.id}-`));
  try {
    log(`main-job: ${way.label}, into ${outDir}`);
    const started = Date.now();
    const run = await execa('bash', ['scripts/main.sh', '--jobs', String(way.jobs), '--cpus', String(way.cpus), '--out', outDir], {
      cwd: packageRoot(), reject: false, all: true,
    });
    const wallMs = Date.now() - started;
    const counts = await verdictCounts(outDir);
    const verdicts = Object.entries(counts).sort().map(([v, n]) => `${n} ${v}`).join(', ');
    log(`main-job: ${way.id} took ${min(wallMs)} (exit ${run.exitCode}): ${verdicts}`);
    return {
      id: `main-job-${way.id}`,
      markdown: `### The main job, ${way.label}

\`npm run main -- --jobs ${way.jobs} --cpus ${way.cpus}\` on the built-in fixtures (fixtures already
built), timed from outside: **${min(wallMs)}** wall time, exit ${run.exitCode}; verdicts: ${verdicts}.
`,
    };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
