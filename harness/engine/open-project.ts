import { dir as tmpDir } from 'tmp-promise';
import { firmwareFor } from '../firmware/index.js';
import type { RunEnvironment } from './environment.js';
import type { ScenarioResult } from '../scenario/result.js';
import { firmwareJobs, type ScenarioJob } from './firmware-matrix.js';
import { combineObservers, type RunObserver } from './run-observer.js';
import { whyNotApplicable } from './run-scenario.js';
import { startCompressedCopies } from '../publish/compressed-copy.js';
import { ensureOutputFolder } from './output-folder.js';
import type { ResolvedRunOptions } from './run-config.js';
import { readRunTarget, type RunTarget } from './run-target.js';
import { resolve } from 'node:path';
import { isoFacts } from './inspect-iso.js';
import type { IsoFacts } from './iso-facts.js';
import { readDurations, recordDurations, type Durations } from './durations.js';
import { deliversAndMustPass } from './delivery-proof.js';
import { warmProofDigests } from '../scenario/checks/image-checks.js';

/**
 * One ISO of a run with what it is booted with (a Playwright project): its scenarios on its
 * firmwares, its environment, its reporters and output folder. Several share one worker pool.
 */
export interface OpenProject {
  jobs: ScenarioJob[];
  env: RunEnvironment;
  /** The live module's id, which the project's recorded durations are keyed by. */
  liveModule: string;
  /** What each scenario took when it last ran into this project's folder (durations.ts). */
  durations: Durations;
  /** Records the durations and tells the reporters the project's results (an interrupted run records none). */
  finish(results: ScenarioResult[], aborted: boolean): Promise<void>;
  /** Stops the project's host work (its compressed copies); idempotent. */
  close(): Promise<void>;
}

/**
 * The ISOs of a run, each read once however many projects boot it (kernel and initrd out of it,
 * its live module and facts); close() removes what was taken out.
 */
export function runTargets() {
  const read = new Map<string, Promise<RunTarget & { facts: Promise<IsoFacts> }>>();
  const dirs: { cleanup: () => Promise<void> }[] = [];
  return {
    /** The ISO as the run boots it, with its facts (read once too: inspect's few seconds each, otherwise before every project's first boot). */
    read(options: ResolvedRunOptions): Promise<RunTarget & { facts: Promise<IsoFacts> }> {
      const key = `${resolve(options.isoPath)}\0${options.liveModule ?? ''}`;
      let target = read.get(key);
      if (!target) {
        target = tmpDir({ prefix: 'pxe-harness-loader-', unsafeCleanup: true }).then(async (dir) => {
          dirs.push(dir);
          const { evidence, ...rest } = await readRunTarget(options, dir.path);
          const facts = isoFacts(rest, evidence);
          facts.catch(() => undefined);
          return { ...rest, evidence, facts };
        });
        read.set(key, target);
      }
      return target;
    },
    async close(): Promise<void> {
      for (const dir of dirs.splice(0)) await dir.cleanup();
    },
  };
}

/**
 * Makes the project's output folder, tells its reporters what its ISO is, and starts the host's
 * work per ISO beside the first boots: each compressed copy a scenario that applies will publish,
 * and the digests of the guest's proof of delivery.
 */
export async function openProject(options: ResolvedRunOptions, targets: ReturnType<typeof runTargets>): Promise<OpenProject> {
  const reporter = combineObservers(options.reporters);
  const { evidence, facts, ...target } = await targets.read(options);
  const jobs = firmwareJobs(options.scenarios, options.firmware, target.arch);
  const outDir = await ensureOutputFolder(options.outDir);
  reporter.onRunInfo?.({ iso: target.iso.path, liveModule: { id: target.liveModule.id, evidence }, facts: await facts });
  const env = projectEnvironment(options, { ...target, outDir, reporter, firmware: jobs[0]?.firmware ?? firmwareFor(target.arch.defaultFirmware, target.arch.id) });
  const applicable = jobs.filter((j) => !whyNotApplicable(j.scenario, { ...env, firmware: j.firmware }));
  const copies = startCompressedCopies(env.iso.path, applicable.map((j) => j.scenario.publish.compressed));
  if (applicable.some((j) => j.scenario.boots.some(deliversAndMustPass))) warmProofDigests(env.iso.path, env.iso.sizeBytes);
  reporter.onRunStart?.(jobs.map((j) => j.scenario));
  const durations = await readDurations(outDir);
  const finish = async (results: ScenarioResult[], aborted: boolean) => {
    if (!aborted) await recordDurations(outDir, env.liveModule.id, results);
    await reporter.onRunEnd?.(results);
  };
  let closed: Promise<void> | undefined;
  return { jobs, env, liveModule: env.liveModule.id, durations, finish, close: () => (closed ??= copies.stop()) };
}

type ProjectTarget = Omit<RunTarget, 'evidence'> & Pick<RunEnvironment, 'outDir' | 'firmware'> & { reporter: RunObserver };

/** Everything the project's scenarios and boots share, from its options and what its ISO showed. */
function projectEnvironment(options: ResolvedRunOptions, { reporter, ...target }: ProjectTarget): RunEnvironment {
  return {
    ...target,
    netboot: options.netboot,
    credentials: options.credentials,
    // KVM runs a guest of the host's own architecture only; any other boots under TCG.
    machine: { memoryMb: options.memoryMb, cpus: options.cpus, accel: target.arch.kvmHost === process.arch ? options.accel : 'tcg', tcgThread: options.tcgThread },
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
}
