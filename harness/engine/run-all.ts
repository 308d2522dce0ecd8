import { availableParallelism } from 'node:os';
import { dir as tmpDir } from 'tmp-promise';
import { DEFAULT_FIRMWARE_ID, firmwareById } from '../firmware/index.js';
import type { RunEnvironment } from './environment.js';
import type { ScenarioResult } from '../scenario/result.js';
import { firmwareJobs, type ScenarioJob } from './firmware-matrix.js';
import { combineObservers } from './run-observer.js';
import { runScenario, whyNotApplicable } from './run-scenario.js';
import { startCompressedCopies } from '../publish/compressed-copy.js';
import { ensureOutputFolder } from './output-folder.js';
import { resolveRunOptions, type RunOptions } from './run-config.js';
import { readRunTarget } from './run-target.js';
import { isoFacts } from './inspect-iso.js';
import { longestFirst, readDurations, recordDurations } from './durations.js';
import { deliversAndMustPass } from './delivery-proof.js';
import { warmProofDigests } from '../scenario/checks/image-checks.js';

export type { RunOptions } from './run-config.js';

/** What makes a scenario count against --max-failures: what makes the run's exit code non-zero. */
const FAILING: readonly ScenarioResult['verdict'][] = ['FAIL', 'ERROR', 'XPASS'];

/**
 * A small worker pool that starts the jobs in `order` (longest first, durations.ts): results keep
 * the order of the jobs, whatever order they start and end in. Once
 * maxFailures scenarios have failed (0: never), the jobs not yet started are SKIPPED as not run.
 */
async function runJobs(jobs: readonly ScenarioJob[], env: RunEnvironment, options: { workers: number; maxFailures: number; signal: AbortSignal | undefined; order: readonly number[] }): Promise<ScenarioResult[]> {
  const slots: ScenarioResult[] = [];
  let next = 0;
  let failures = 0;
  const { workers, maxFailures, signal, order } = options;
  const cores = sharedCores(env.machine, Math.max(1, workers));
  const worker = async () => {
    while (next < jobs.length && !signal?.aborted) {
      const index = order[next++]!;
      const job = jobs[index]!;
      const stop = maxFailures > 0 && failures >= maxFailures ? `the run stopped after ${failures} failed scenario(s) (--max-failures ${maxFailures})` : undefined;
      slots[index] = await runScenario(job.scenario, { ...env, machine: cores.machine, firmware: job.firmware }, stop);
      if (FAILING.includes(slots[index].verdict)) failures++;
    }
    cores.idle();
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  return slots.filter(Boolean);
}

/**
 * The cores of workers that found no job left go to the boots still running: each boot started
 * from then on gets its lane's vCPUs and theirs (read when its QEMU starts), so that the last
 * boots of a run, often the steps of one long scenario, do not run on one vCPU while the other
 * cores idle.
 */
export function sharedCores(machine: RunEnvironment['machine'], workers: number, hostCores = availableParallelism()): { machine: RunEnvironment['machine']; idle: () => void } {
  let idleWorkers = 0;
  const lane = machine.cpus;
  const shared = {
    ...machine,
    // The lanes of the idle workers, split among the boots still running; never more vCPUs than
    // the host has cores (more stall the guest), never fewer than the boot's own lane.
    get cpus() {
      const running = Math.max(1, workers - idleWorkers);
      return Math.max(lane, Math.min(hostCores, lane * Math.floor(workers / running)));
    },
  };
  return { machine: shared, idle: () => void idleWorkers++ };
}

/**
 * Runs scenarios against one ISO: checks the options and the ISO, takes kernel and initrd out of
 * it once, boots the scenarios `jobs` at a time, and leaves nothing behind but the output folder.
 */
export async function runScenarios(runOptions: RunOptions): Promise<ScenarioResult[]> {
  const options = resolveRunOptions(runOptions);
  const reporter = combineObservers(options.reporters);
  const jobs = firmwareJobs(options.scenarios, options.firmware);
  const loaderDir = await tmpDir({ prefix: 'pxe-harness-loader-', unsafeCleanup: true });
  let copies: { stop: () => Promise<void> } | undefined;
  try {
    const { evidence, ...target } = await readRunTarget(options, loaderDir.path);
    const outDir = await ensureOutputFolder(options.outDir);
    reporter.onRunInfo?.({ iso: target.iso.path, liveModule: { id: target.liveModule.id, evidence }, facts: await isoFacts(target, evidence) });
    const env: RunEnvironment = {
      ...target,
      firmware: jobs[0]?.firmware ?? firmwareById(DEFAULT_FIRMWARE_ID),
      netboot: options.netboot,
      outDir,
      credentials: options.credentials,
      machine: { memoryMb: options.memoryMb, cpus: options.cpus, accel: options.accel, tcgThread: options.tcgThread },
      bootTimeoutMs: options.bootTimeoutMs,
      keepTemp: options.keepTemp,
      retries: options.retries,
      debugRerun: options.debugRerun,
      observer: reporter,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.attach ? { attach: options.attach } : {}),
      ...(options.tlsAuthority ? { tlsAuthority: options.tlsAuthority } : {}),
      knownIssues: options.knownIssues,
    };
    // The host's work per ISO, once per run, from now on beside the first boots: each compressed
    // copy a scenario that applies will publish, and the digests of the guest's proof of delivery.
    const applicable = jobs.filter((j) => !whyNotApplicable(j.scenario, { ...env, firmware: j.firmware }));
    copies = startCompressedCopies(env.iso.path, applicable.map((j) => j.scenario.publish.compressed));
    if (applicable.some((j) => j.scenario.boots.some(deliversAndMustPass))) warmProofDigests(env.iso.path, env.iso.sizeBytes);
    reporter.onRunStart?.(jobs.map((j) => j.scenario));
    const order = longestFirst(jobs, env.liveModule.id, await readDurations(outDir));
    const results = await runJobs(jobs, env, { workers: options.jobs, maxFailures: options.maxFailures, signal: options.signal, order });
    if (!options.signal?.aborted) await recordDurations(outDir, env.liveModule.id, results);
    await reporter.onRunEnd?.(results);
    return results;
  } finally {
    await copies?.stop();
    await loaderDir.cleanup();
  }
}
