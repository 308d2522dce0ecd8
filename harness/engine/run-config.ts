import type { TlsAuthority } from '../publish/publisher.js';
import { availableParallelism, freemem, totalmem } from 'node:os';
import { DEFAULT_CREDENTIALS, type Credentials } from '../console/serial-shell.js';
import { DEFAULT_NETBOOT, netbootFamilyById, type NetbootFamily } from '../netboot/index.js';
import type { IsoInfo } from '../iso/iso-image.js';
import { inputError } from '../errors.js';
import type { LiveModuleId } from '../live/index.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';
import type { RunEnvironment } from './environment.js';
import type { FirmwareChoice } from './firmware-matrix.js';
import type { KnownIssue } from './known-issues.js';
import type { RunObserver } from './run-observer.js';

/**
 * The one run configuration: the options of a run (runScenarios' and, through it, the CLI's),
 * their limits and their validation. The CLI turns its flags into these options and checks them
 * here, so that a value means and is refused the same way from both sides.
 */

export interface RunOptions {
  isoPath: string;
  /** The ISO as inspectIso read it already (the CLI refuses a bad ISO before its slow steps): not read again. */
  inspectedIso?: IsoInfo;
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
  /** The default firmware of the ISO's architecture unless given (x86_64: bios); both: every scenario (but those that pin one) once per firmware. */
  firmware?: FirmwareChoice;
  /** The netboot path of every network boot (a key of NETBOOT_FAMILIES): the seed's PXE setup unless given. */
  netboot?: NetbootFamily;
  /** The ISO's live module; read from the ISO's initrd by default (this overrides it, and must agree). */
  liveModule?: LiveModuleId;
  /** The guest's architecture (a key of ARCHITECTURES); read from the ISO's loader folder by default (this overrides it, and must agree). */
  arch?: string;
  /** Whoever watches the run: the reporters. */
  reporters?: RunObserver[];
  signal?: AbortSignal;
  attach?: RunEnvironment['attach'];
  /** Scenarios booted side by side (each with its own ports, folders and disks). */
  jobs?: number;
  /** How often a boot that ended in an infrastructure ERROR (never a FAIL) is booted again: 1 unless given, 0 never. */
  retries?: number;
  /**
   * A boot that FAILed in the initrd is booted once more with the live module's debug log and
   * dracut's emergency shell on, into <boot>-debug, its evidence named in the reason; the verdict
   * stays the first boot's (true unless given).
   */
  debugRerun?: boolean;
  /** Stop starting scenarios once this many have failed (FAIL, ERROR, XPASS); the rest are SKIPPED as not run. 0 or unset: never stop. */
  maxFailures?: number;
  knownIssues?: KnownIssue[];
  /** The CA the ISO trusts (`--tls-ca`): scenarios with publish.trustedCertificate SKIP without it. */
  tlsAuthority?: TlsAuthority;
}

/** Every default of a run, in one place: what runScenarios assumes and the CLI's help states. */
export const RUN_DEFAULTS = {
  credentials: DEFAULT_CREDENTIALS,
  memoryMb: 3072,
  /** vCPUs of a boot alone; boots side by side divide the cores (defaultCpus). */
  cpus: 2,
  accel: 'tcg' as 'tcg' | 'kvm',
  tcgThread: 'multi' as 'multi' | 'single',
  bootTimeoutMs: 600_000,
  keepTemp: false,
  firmware: undefined as FirmwareChoice | undefined,
  netboot: DEFAULT_NETBOOT,
  jobs: 1,
  retries: 1,
  debugRerun: true,
  maxFailures: 0,
} as const;

/** The options of a run with every default filled in, after validateRunOptions. */
export type ResolvedRunOptions = RunOptions & Required<Pick<RunOptions, Exclude<keyof typeof RUN_DEFAULTS, 'firmware'> | 'knownIssues' | 'reporters'>>;

/** Validates the options (naming the bad one) and fills in every default. */
export function resolveRunOptions(options: RunOptions, host: HostCapacity = hostCapacity()): ResolvedRunOptions {
  validateRunOptions(options, host);
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RunOptions;
  return { ...RUN_DEFAULTS, knownIssues: [], reporters: [], ...defined };
}

/**
 * The default --jobs: one boot per core, and no more boots than the free memory holds (guest
 * memory plus about 1 GiB for QEMU and the harness each). Measured on 2 cores, the whole main job
 * (112 verdicts, docs/benchmarks.md "The main job, read"): 78.0 min with two one-vCPU boots side by
 * side, 96.3 min one two-vCPU boot at a time. Each boot takes ~1.45 times as long beside another,
 * so side by side does more per hour, less the ends of runs where one scenario is left alone.
 */
export function defaultJobs(memoryMb: number = RUN_DEFAULTS.memoryMb, cores = availableParallelism(), freeBytes = freemem()): number {
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
export function runLimits(host: HostCapacity = hostCapacity()): Record<'memoryMb' | 'cpus' | 'jobs' | 'bootTimeoutS' | 'retries' | 'maxFailures', RunLimit> {
  const memoryMiB = Math.floor(host.totalMemoryBytes / 2 ** 20);
  return {
    memoryMb: { min: 256, max: memoryMiB, unit: 'MiB of guest memory', maxBecause: `this host has ${memoryMiB} MiB` },
    cpus: { min: 1, max: host.cores, unit: 'vCPUs per guest', maxBecause: `this host has ${host.cores} cores; more vCPUs than cores stall the guest` },
    jobs: { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'boots side by side' },
    bootTimeoutS: { min: 1, max: 86_400, unit: 'seconds', maxBecause: 'a day' },
    retries: { min: 0, max: 5, unit: 'retries of a boot that ended in an infrastructure ERROR', maxBecause: 'a flake that survives five retries is a broken host' },
    maxFailures: { min: 0, max: Number.MAX_SAFE_INTEGER, unit: 'failed scenarios (0: never stop)' },
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
export function validateRunOptions(options: Pick<RunOptions, 'memoryMb' | 'cpus' | 'jobs' | 'bootTimeoutMs' | 'accel' | 'tcgThread' | 'netboot' | 'retries' | 'maxFailures'>, host: HostCapacity = hostCapacity()): void {
  const limits = runLimits(host);
  if (options.netboot !== undefined) netbootFamilyById(options.netboot);
  const check = (name: string, value: number | undefined, limit: RunLimit) => {
    const problem = value === undefined ? undefined : outOfLimit(value, limit);
    if (problem) throw inputError(`${name} ${problem}, got ${value}`, `${name}: ${value}`, `pass ${name} from ${limit.min} to ${limit.max}`);
  };
  check('memoryMb', options.memoryMb, limits.memoryMb);
  check('cpus', options.cpus, limits.cpus);
  check('jobs', options.jobs, limits.jobs);
  check('retries', options.retries, limits.retries);
  check('maxFailures', options.maxFailures, limits.maxFailures);
  const ms = limits.bootTimeoutS;
  check('bootTimeoutMs', options.bootTimeoutMs, { ...ms, min: ms.min * 1000, max: ms.max * 1000, unit: 'milliseconds' });
  if (options.accel !== undefined && options.accel !== 'tcg' && options.accel !== 'kvm') {
    throw inputError(`accel must be tcg or kvm, got ${JSON.stringify(options.accel)}`, `accel: ${String(options.accel)}`, "pass 'tcg', or 'kvm' once probeKvm() said it works");
  }
  if (options.tcgThread !== undefined && options.tcgThread !== 'multi' && options.tcgThread !== 'single') {
    throw inputError(`tcgThread must be multi or single, got ${JSON.stringify(options.tcgThread)}`, `tcgThread: ${String(options.tcgThread)}`, "pass 'multi' (QEMU's default) or 'single'");
  }
}

