import { availableParallelism } from 'node:os';
import type { RunEnvironment } from './environment.js';
import type { ScenarioResult } from '../scenario/result.js';
import { runScenario } from './run-scenario.js';
import { resolveRunOptions, type ResolvedRunOptions, type RunOptions } from './run-config.js';
import { longestFirstAcross } from './durations.js';
import { openProject, runTargets, type OpenProject } from './open-project.js';

export type { RunOptions } from './run-config.js';

/** What makes a scenario count against --max-failures: what makes the run's exit code non-zero. */
const FAILING: readonly ScenarioResult['verdict'][] = ['FAIL', 'ERROR', 'XPASS'];

/** What the one worker pool of a run takes from its options: the same for every project. */
export type PoolOptions = Pick<ResolvedRunOptions, 'jobs' | 'maxFailures'> & { signal?: AbortSignal | undefined };

/**
 * One worker pool over the jobs of every project (longest first across them, durations.ts):
 * `jobs` boots side by side whatever ISO they boot. A project's results keep the order of its
 * jobs and go to its reporters as soon as its last job ends. Once maxFailures scenarios have
 * failed in the whole run (0: never), the jobs not yet started are SKIPPED as not run.
 */
async function runPool(projects: readonly OpenProject[], options: PoolOptions): Promise<ScenarioResult[][]> {
  const slots: ScenarioResult[][] = projects.map(() => []);
  const left = projects.map((p) => p.jobs.length);
  const finished: Promise<void>[] = [];
  const order = longestFirstAcross(projects);
  let next = 0;
  let failures = 0;
  const { maxFailures, signal } = options;
  const workers = Math.max(1, options.jobs);
  const cores = sharedCores(projects[0]?.env.machine.cpus ?? 1, workers);
  const worker = async () => {
    while (next < order.length && !signal?.aborted) {
      const { project, index } = order[next++]!;
      const { env, jobs } = projects[project]!;
      const job = jobs[index]!;
      const stop = maxFailures > 0 && failures >= maxFailures ? `the run stopped after ${failures} failed scenario(s) (--max-failures ${maxFailures})` : undefined;
      const result = await runScenario(job.scenario, { ...env, machine: cores.machineOf(env.machine), firmware: job.firmware }, stop);
      slots[project]![index] = result;
      if (FAILING.includes(result.verdict)) failures++;
      if (--left[project]! === 0) finished.push(projects[project]!.finish(slots[project]!.filter(Boolean), Boolean(signal?.aborted)));
    }
    cores.idle();
  };
  await Promise.all(Array.from({ length: workers }, worker));
  // Each project not finished yet (interrupted, or with no job at all) still tells its reporters
  // what it has; an interrupted run records no durations.
  projects.forEach((p, i) => (left[i]! !== 0 || p.jobs.length === 0) && finished.push(p.finish(slots[i]!.filter(Boolean), Boolean(signal?.aborted))));
  await Promise.all(finished);
  return slots.map((s) => s.filter(Boolean));
}

/**
 * The cores of workers that found no job left go to the boots still running: each boot started
 * from then on gets its lane's vCPUs and theirs (read when its QEMU starts), so that the last
 * boots of a run, often the steps of one long scenario, do not run on one vCPU while the other
 * cores idle.
 */
export function sharedCores(lane: number, workers: number, hostCores = availableParallelism()) {
  let idleWorkers = 0;
  // The lanes of the idle workers, split among the boots still running; never more vCPUs than
  // the host has cores (more stall the guest), never fewer than the boot's own lane.
  const cpus = () => Math.max(lane, Math.min(hostCores, lane * Math.floor(workers / Math.max(1, workers - idleWorkers))));
  return {
    /** A boot's machine whose vCPUs are read as its QEMU starts, from the cores shared so far. */
    machineOf: (machine: RunEnvironment['machine']): RunEnvironment['machine'] => ({
      ...machine,
      get cpus() {
        return cpus();
      },
    }),
    idle: () => void idleWorkers++,
  };
}

/**
 * Runs scenarios against one ISO: checks the options and the ISO, takes kernel and initrd out of
 * it once, boots the scenarios `jobs` at a time, and leaves nothing behind but the output folder.
 */
export async function runScenarios(runOptions: RunOptions): Promise<ScenarioResult[]> {
  const options = resolveRunOptions(runOptions);
  const [results] = await runProjects([options], options);
  return results ?? [];
}

/**
 * Runs several projects (each an ISO with its scenarios, firmwares, reporters and output folder)
 * in one worker pool, so that the boots of one fill the lanes another leaves idle: each project
 * is opened in turn (a refused one leaves nothing behind; an ISO that several boot is read once),
 * then every job of every project is booted, longest first. Returns each project's results, in the projects' order.
 */
export async function runProjects(projectOptions: readonly RunOptions[], pool: PoolOptions): Promise<ScenarioResult[][]> {
  const resolved = projectOptions.map((o) => resolveRunOptions(o));
  const targets = runTargets();
  const projects: OpenProject[] = [];
  try {
    // Every ISO read before any project is opened: one refused (not a KIWI live ISO, a wrong
    // --arch or --live-module) leaves no other project's folder or reports behind.
    for (const options of resolved) await targets.read(options);
    for (const options of resolved) projects.push(await openProject(options, targets));
    return await runPool(projects, pool);
  } finally {
    for (const project of projects) await project.close();
    await targets.close();
  }
}
