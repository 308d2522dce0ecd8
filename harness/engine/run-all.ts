import { lstat, mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { DEFAULT_CREDENTIALS, type Credentials } from '../console/serial-shell.js';
import { inputError } from '../errors.js';
import { inspectIso } from '../iso/iso-image.js';
import { readIsoBootFacts } from '../iso/boot-facts.js';
import { extractLoaderFiles } from '../iso/loader-files.js';
import { DEFAULT_FIRMWARE_ID, firmwareById } from '../firmware/index.js';
import { detectLiveModule, type LiveModuleId } from '../live/index.js';
import { readLiveImageFacts } from '../iso/live-image-facts.js';
import { kiwiLive } from '../live/kiwi-live.js';
import type { RunEnvironment } from './environment.js';
import type { KnownIssue } from './known-issues.js';
import type { ScenarioResult } from '../scenario/result.js';
import { firmwareJobs, type FirmwareChoice } from './firmware-matrix.js';
import { combineObservers, type RunObserver } from './run-observer.js';
import { runScenario } from './run-scenario.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';

export interface RunOptions {
  isoPath: string;
  scenarios: readonly ScenarioDefinition[];
  outDir: string;
  credentials?: Credentials;
  memoryMb?: number;
  cpus?: number;
  /** tcg by default; pick kvm only after probeKvm() said it works. */
  accel?: 'tcg' | 'kvm';
  /** Under TCG: multi (default) or single, every vCPU on one host thread (no race with the guest's code patching). */
  tcgThread?: 'multi' | 'single';
  bootTimeoutMs?: number;
  keepTemp?: boolean;
  /** DEFAULT_FIRMWARE_ID by default; both: every scenario (but those that pin one) once per firmware. */
  firmware?: FirmwareChoice;
  /** The ISO's live module; read from the ISO's initrd by default (this overrides it, and must agree). */
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
 * memory plus about 1 GiB for QEMU and the harness each). Measured on 2 cores, the whole main job
 * (112 verdicts, docs/benchmarks.md "The main job, read"): 78.0 min with two one-vCPU boots side by
 * side, 96.3 min one two-vCPU boot at a time. Each boot takes ~1.45 times as long beside another,
 * so side by side does more per hour, less the ends of runs where one scenario is left alone.
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

/** What bounds a run's numbers: the host's cores and memory. */
export interface HostCapacity {
  cores: number;
  totalMemoryBytes: number;
}

export const hostCapacity = (): HostCapacity => ({ cores: availableParallelism(), totalMemoryBytes: totalmem() });

/** The range of one of a run's numbers, and why its ends are where they are. */
export interface RunLimit {
  min: number;
  max: number;
  /** What the number counts, e.g. "MiB of guest memory". */
  unit: string;
  /** Why the maximum, e.g. "this host has 2 cores"; none when there is no real maximum. */
  maxBecause?: string;
}

/**
 * The limits of a run's numbers, one place for the CLI (which names its flags) and runScenarios
 * (which names its options), so that a bad value is refused before anything starts instead of
 * failing each boot as an infrastructure ERROR that is then retried.
 *  - memoryMb: MachineBuilder.withMemoryMb refuses less than 256; a guest cannot be given more
 *    memory than the host has (it loads the ISO into RAM).
 *  - cpus: vCPUs of one guest, at most the host's cores. QEMU would start more, but the vCPUs of
 *    one guest then take turns on the same cores: a guest kernel waiting for a vCPU that is not
 *    running (spinlocks, RCU, TLB shootdowns) stalls, the boot runs into its timeouts and reads as
 *    a FAIL of the ISO. Boots side by side (--jobs) may share the cores: each guest only runs slower.
 *  - bootTimeoutS: a day at most; more is a typo (and more than 24.8 days overflows Node's timers,
 *    which then fire at once).
 */
export function runLimits(host: HostCapacity = hostCapacity()): Record<'memoryMb' | 'cpus' | 'jobs' | 'bootTimeoutS', RunLimit> {
  const memoryMiB = Math.floor(host.totalMemoryBytes / 2 ** 20);
  return {
    memoryMb: { min: 256, max: memoryMiB, unit: 'MiB of guest memory', maxBecause: `this host has ${memoryMiB} MiB` },
    cpus: { min: 1, max: host.cores, unit: 'vCPUs per guest', maxBecause: `this host has ${host.cores} cores; more vCPUs than cores stall the guest` },
    jobs: { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'boots side by side' },
    bootTimeoutS: { min: 1, max: 86_400, unit: 'seconds', maxBecause: 'a day' },
  };
}

/** Why a number is out of its limit ("must be at least 256 (MiB of guest memory)"), or undefined. */
export function outOfLimit(value: number, limit: RunLimit): string | undefined {
  if (!Number.isSafeInteger(value)) return `must be a whole number of ${limit.unit}`;
  if (value < limit.min) return `must be at least ${limit.min} (${limit.unit})`;
  if (value > limit.max) return `must be at most ${limit.max} (${limit.unit}${limit.maxBecause ? `: ${limit.maxBecause}` : ''})`;
  return undefined;
}

/** Refuses options of runScenarios out of their limits, naming the option, before anything starts. */
export function validateRunOptions(options: Pick<RunOptions, 'memoryMb' | 'cpus' | 'jobs' | 'bootTimeoutMs' | 'accel' | 'tcgThread'>, host: HostCapacity = hostCapacity()): void {
  const limits = runLimits(host);
  const check = (name: string, value: number | undefined, limit: RunLimit) => {
    const problem = value === undefined ? undefined : outOfLimit(value, limit);
    if (problem) throw inputError(`${name} ${problem}, got ${value}`, `${name}: ${value}`, `pass ${name} from ${limit.min} to ${limit.max}`);
  };
  check('memoryMb', options.memoryMb, limits.memoryMb);
  check('cpus', options.cpus, limits.cpus);
  check('jobs', options.jobs, limits.jobs);
  const ms = limits.bootTimeoutS;
  check('bootTimeoutMs', options.bootTimeoutMs, { ...ms, min: ms.min * 1000, max: ms.max * 1000, unit: 'milliseconds' });
  if (options.accel !== undefined && options.accel !== 'tcg' && options.accel !== 'kvm') {
    throw inputError(`accel must be tcg or kvm, got ${JSON.stringify(options.accel)}`, `accel: ${String(options.accel)}`, "pass 'tcg', or 'kvm' once probeKvm() said it works");
  }
  if (options.tcgThread !== undefined && options.tcgThread !== 'multi' && options.tcgThread !== 'single') {
    throw inputError(`tcgThread must be multi or single, got ${JSON.stringify(options.tcgThread)}`, `tcgThread: ${String(options.tcgThread)}`, "pass 'multi' (QEMU's default) or 'single'");
  }
}

/** A path that names no folder to check, with the reason. */
const unusable = (outDir: string, why: string, fix = 'pass a folder you can write to with --out, e.g. --out out', cause?: unknown) =>
  inputError(`output folder ${JSON.stringify(outDir)} cannot be used: ${why}`, outDir, fix, cause);

/**
 * Checks that the output folder is, or can become, a folder the run can write to, without
 * creating anything: the nearest part of the path that exists must be a folder that takes a new
 * folder (a probe folder made and removed at once). Refuses at once what recursive mkdir would
 * never finish: Node's mkdir({ recursive: true }) spins forever on a path under /proc (mkdir
 * there says ENOENT, so it makes the parent, which exists, and tries again) or under a dangling
 * symbolic link. Returns the absolute folder and the parts of it still to be made.
 */
export async function checkOutputFolder(outDir: string): Promise<{ path: string; missing: string[] }> {
  if (outDir.trim() === '') throw unusable(outDir, 'the path is empty', 'pass a folder with --out, e.g. --out out');
  if (outDir.includes('\0')) throw unusable(outDir, 'the path holds a NUL byte');
  const path = resolve(outDir);
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    const info = await stat(existing).catch((e: NodeJS.ErrnoException) => e);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) throw unusable(outDir, `${existing} is a file, not a folder`);
      break;
    }
    if (info.code === 'ENOTDIR') throw unusable(outDir, `a part of ${path} is a file, not a folder`, undefined, info);
    if (info.code !== 'ENOENT') throw unusable(outDir, `${existing} cannot be looked at (${info.code})`, undefined, info);
    if ((await lstat(existing).catch(() => undefined))?.isSymbolicLink()) {
      throw unusable(outDir, `${existing} is a symbolic link to something that does not exist`, 'create the target of the link, or pass another folder with --out', info);
    }
    if (dirname(existing) === existing) throw unusable(outDir, 'no part of the path exists');
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  try {
    await rmdir(await mkdtemp(join(existing, '.pxe-harness-out-check-')));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    // /proc says ENOENT and /sys EPERM to a new folder in a folder that exists, even to root.
    const why: Record<string, string> = {
      ENOENT: `${existing} takes no new folders (ENOENT: a kernel file system such as /proc?)`,
      EPERM: `${existing} takes no new folders (EPERM: a kernel file system such as /sys?)`,
      EACCES: `${existing} is not writable for this user (EACCES)`,
      EROFS: `${existing} is on a read-only file system (EROFS)`,
      ENOSPC: `the disk of ${existing} is full (ENOSPC)`,
      EDQUOT: `the disk quota of ${existing} is used up (EDQUOT)`,
    };
    throw unusable(outDir, why[code] ?? `${existing} takes no new folders (${code})`);
  }
  return { path, missing };
}

/** Makes the output folder after checkOutputFolder, one part at a time (never mkdir -p: see there). */
export async function ensureOutputFolder(outDir: string): Promise<string> {
  const { path, missing } = await checkOutputFolder(outDir);
  let made = resolve(path, ...missing.map(() => '..'));
  for (const part of missing) {
    made = join(made, part);
    try {
      await mkdir(made);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(made).catch(() => undefined))?.isDirectory()) continue;
      throw unusable(outDir, `${made} cannot be made: ${(cause as Error).message}`, undefined, cause);
    }
  }
  return path;
}

/**
 * Runs scenarios one after another against one ISO: checks the options and the ISO, takes kernel
 * and initrd out of it once, and leaves nothing behind but the output folder.
 */
export async function runScenarios(options: RunOptions): Promise<ScenarioResult[]> {
  validateRunOptions(options);
  const iso = await inspectIso(resolve(options.isoPath));
  const reporter = combineObservers(options.reporters ?? []);
  const jobs = firmwareJobs(options.scenarios, options.firmware ?? DEFAULT_FIRMWARE_ID);
  const loaderDir = await tmpDir({ prefix: 'pxe-harness-loader-', unsafeCleanup: true });
  const results: ScenarioResult[] = [];
  try {
    // Both live modules of KIWI keep kernel and initrd in the same place; the initrd says which
    // module it is. A wrong --live-module is refused before the output folder is made.
    let loader = await extractLoaderFiles(iso.path, loaderDir.path, kiwiLive.loaderLocations);
    const live = await readLiveImageFacts(iso.path, loader.initrdPath, kiwiLive.loaderLocations.initrd);
    const { profile: liveModule, evidence } = detectLiveModule(iso.path, live, options.liveModule);
    const at = liveModule.loaderLocations;
    if (at.kernel !== kiwiLive.loaderLocations.kernel || at.initrd !== kiwiLive.loaderLocations.initrd) loader = await extractLoaderFiles(iso.path, loaderDir.path, at);
    const outDir = await ensureOutputFolder(options.outDir);
    reporter.onRunInfo?.({ iso: iso.path, liveModule: { id: liveModule.id, evidence } });
    const env: RunEnvironment = {
      iso: { ...iso, boot: await readIsoBootFacts(iso.path), live },
      loader,
      firmware: jobs[0]?.firmware ?? firmwareById(DEFAULT_FIRMWARE_ID),
      liveModule,
      outDir,
      credentials: options.credentials ?? DEFAULT_CREDENTIALS,
      machine: { memoryMb: options.memoryMb ?? 3072, cpus: options.cpus ?? 2, accel: options.accel ?? 'tcg', tcgThread: options.tcgThread ?? 'multi' },
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
