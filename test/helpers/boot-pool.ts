import type { FirmwareId } from '../../harness/firmware/index.js';
import type { NetbootFamily } from '../../harness/netboot/index.js';
import type { KnownIssue } from '../../harness/engine/known-issues.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { runProjects } from '../../harness/engine/run-all.js';
import type { RunObserver } from '../../harness/engine/run-observer.js';
import type { ScenarioDefinition } from '../../harness/scenario/define-scenario.js';
import type { TlsAuthority } from '../../harness/publish/tls-certificate.js';

/** One scenario on one ISO and firmware; its result is named `name` (or name@firmware when asked). */
export interface BootJob {
  scenario: ScenarioDefinition;
  firmware: FirmwareId;
  isoPath: string;
  /** Report it as NAME@FIRMWARE, as `run --firmware both` does (true), or as NAME@ this text. */
  suffix?: boolean | string;
  /** The run's netboot path (run --netboot); the seed's PXE setup by default. */
  netboot?: NetbootFamily;
  /** The CA the ISO trusts (run --tls-ca), for a scenario that publishes with a trusted certificate. */
  tlsAuthority?: TlsAuthority;
}

/**
 * Runs jobs of several ISOs and firmwares as one run of the real runner: each job a project of
 * its own (runProjects, as `run` with several ISOs or a config's projects), all in one pool of
 * `lanes` side by side at one vCPU each (the cores of a lane that falls idle go to the boots still
 * running), in the order listed; then tells the reporters about all results at once.
 */
export async function runBootJobs(jobs: readonly BootJob[], options: { outDir: string; knownIssues: KnownIssue[]; lanes: number; reporters: RunObserver[] }): Promise<ScenarioResult[]> {
  const projects = jobs.map((job) => {
    const suffix = typeof job.suffix === 'string' ? job.suffix : job.suffix ? job.firmware : undefined;
    const scenario = suffix ? { ...job.scenario, name: `${job.scenario.name}@${suffix}` } : job.scenario;
    return {
      isoPath: job.isoPath, scenarios: [scenario], outDir: options.outDir, knownIssues: options.knownIssues, firmware: job.firmware, jobs: options.lanes, cpus: 1,
      ...(job.netboot ? { netboot: job.netboot } : {}),
      ...(job.tlsAuthority ? { tlsAuthority: job.tlsAuthority } : {}),
    };
  });
  const results = (await runProjects(projects, { jobs: options.lanes, maxFailures: 0 })).map(([result]) => result!);
  for (const reporter of options.reporters) await reporter.onRunEnd?.(results);
  return results;
}
