import { access, constants, mkdir } from 'node:fs/promises';
import { availableParallelism, freemem } from 'node:os';
import { resolve } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { DEFAULT_CREDENTIALS, type Credentials } from '../console/serial-shell.js';
import { inputError } from '../errors.js';
import { inspectIso } from '../iso/iso-image.js';
import { readIsoBootFacts } from '../iso/boot-facts.js';
import { extractLoaderFiles } from '../iso/loader-files.js';
import { FIRMWARES } from '../firmware/index.js';
import { liveModuleById, type LiveModuleId } from '../live/index.js';
import type { RunEnvironment } from './environment.js';
import type { KnownIssue } from './known-issues.js';
import type { ScenarioResult } from './result.js';
import { firmwareJobs, type FirmwareChoice } from './firmware-matrix.js';
import { combineObservers, type RunObserver } from './run-observer.js';
import { runScenario } from './run-scenario.js';
import type { ScenarioDefinition } from './scenario.js';

export interface RunOptions {
  isoPath: string;
  scenarios: readonly ScenarioDefinition[];
  outDir: string;
  credentials?: Credentials;
  memoryMb?: number;
  cpus?: number;
  /** tcg by default; pick kvm only after probeKvm() said it works. */
  accel?: 'tcg' | 'kvm';
  bootTimeoutMs?: number;
  keepTemp?: boolean;
  /** bios by default; both: every scenario (but those that pin one) once per firmware. */
  firmware?: FirmwareChoice;
  /** The ISO's live module; kiwi-live by default. */
  liveModule?: LiveModuleId;
  /** Whoever watches the run: the reporters. */
  reporters?: RunObserver[];
  signal?: AbortSignal;
  attach?: RunEnvironment['attach'];
  /** Scenarios booted side by side (each with its own ports, folders and disks). */
  jobs?: number;
  knownIssues?: KnownIssue[];
}

/**
 * The default --jobs: one boot per core, and no more boots than the free memory holds (guest
 * memory plus about 1 GiB for QEMU and the harness each). Measured on 2 cores: two one-vCPU TCG
 * boots side by side finish in about 1.3 times the time of one two-vCPU boot alone, so side by
 * side boots more per hour.
 */
export function defaultJobs(memoryMb = 3072, cores = availableParallelism(), freeBytes = freemem()): number {
  const byCores = Math.max(1, cores);
  const byMemory = Math.max(1, Math.floor(freeBytes / ((memoryMb + 1024) * 1024 * 1024)));
  return Math.min(byCores, byMemory);
}

/** vCPUs per boot so that the boots side by side use the cores without overcommitting them. */
export function defaultCpus(jobs: number, cores = availableParallelism()): number {
  return jobs > 1 ? Math.max(1, Math.floor(cores / jobs)) : Math.min(2, cores);
}

/**
 * Boots side by side and vCPUs per boot for a run: what the user asked for, else the defaults;
 * never more boots side by side than scenarios, so that one scenario alone gets all the cores.
 */
export function planParallelism(
  request: { jobs?: number | undefined; cpus?: number | undefined; scenarios: number; memoryMb?: number | undefined },
  host: { cores: number; freeBytes: number } = { cores: availableParallelism(), freeBytes: freemem() },
): { jobs: number; cpus: number } {
  const jobs = Math.min(request.jobs ?? defaultJobs(request.memoryMb, host.cores, host.freeBytes), Math.max(1, request.scenarios));
  return { jobs, cpus: request.cpus ?? defaultCpus(jobs, host.cores) };
}

/**
 * Runs scenarios one after another against one ISO: checks the ISO, takes kernel and initrd out
 * of it once, and leaves nothing behind but the output folder.
 */
export async function runScenarios(options: RunOptions): Promise<ScenarioResult[]> {
  const iso = await inspectIso(resolve(options.isoPath));
  const outDir = resolve(options.outDir);
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (cause) {
    throw inputError(`output folder ${outDir} cannot be written: ${(cause as Error).message}`, outDir, 'pass a writable folder with --out', cause);
  }
  const reporter = combineObservers(options.reporters ?? []);
  const jobs = firmwareJobs(options.scenarios, options.firmware ?? 'bios');
  const liveModule = liveModuleById(options.liveModule ?? 'kiwi-live');
  const loaderDir = await tmpDir({ prefix: 'pxe-harness-loader-', unsafeCleanup: true });
  const results: ScenarioResult[] = [];
  try {
    const loader = await extractLoaderFiles(iso.path, loaderDir.path, liveModule.loaderLocations);
    const env: RunEnvironment = {
      iso: { ...iso, boot: await readIsoBootFacts(iso.path) },
      loader,
      firmware: jobs[0]?.firmware ?? FIRMWARES.bios,
      liveModule,
      outDir,
      credentials: options.credentials ?? DEFAULT_CREDENTIALS,
      machine: { memoryMb: options.memoryMb ?? 3072, cpus: options.cpus ?? 2, accel: options.accel ?? 'tcg' },
      bootTimeoutMs: options.bootTimeoutMs ?? 600_000,
      keepTemp: options.keepTemp ?? false,
      observer: reporter,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.attach ? { attach: options.attach } : {}),
      knownIssues: options.knownIssues ?? [],
    };
    reporter.onRunStart?.(jobs.map((j) => j.scenario));
    // A small worker pool: results keep the order of the jobs, whatever order they end in.
    const slots: ScenarioResult[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !options.signal?.aborted) {
        const job = jobs[next++]!;
        slots[jobs.indexOf(job)] = await runScenario(job.scenario, { ...env, firmware: job.firmware });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.jobs ?? 1) }, worker));
    results.push(...slots.filter(Boolean));
    await reporter.onRunEnd?.(results);
    return results;
  } finally {
    await loaderDir.cleanup();
  }
}
