import type { FirmwareId } from '../../harness/firmware/index.js';
import type { NetbootFamily } from '../../harness/netboot/index.js';
import type { KnownIssue } from '../../harness/engine/known-issues.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { runScenarios } from '../../harness/engine/run-all.js';
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
 * Runs jobs of several ISOs and firmwares through the real runner in `lanes` side by side (one
 * vCPU each), so that two fixture ISOs share the cores of one run; then tells the reporters about
 * all results at once, as one run would.
 */
export async function runBootJobs(jobs: readonly BootJob[], options: { outDir: string; knownIssues: KnownIssue[]; lanes: number; reporters: RunObserver[] }): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const suffix = typeof job.suffix === 'string' ? job.suffix : job.suffix ? job.firmware : undefined;
      const scenario = suffix ? { ...job.scenario, name: `${job.scenario.name}@${suffix}` } : job.scenario;
      const [result] = await runScenarios({
        isoPath: job.isoPath, scenarios: [scenario], outDir: options.outDir, knownIssues: options.knownIssues, firmware: job.firmware, jobs: 1, cpus: 1,
        ...(job.netboot ? { netboot: job.netboot } : {}),
        ...(job.tlsAuthority ? { tlsAuthority: job.tlsAuthority } : {}),
      });
      results[jobs.indexOf(job)] = result!;
    }
  };
  await Promise.all(Array.from({ length: options.lanes }, lane));
  for (const reporter of options.reporters) await reporter.onRunEnd?.(results);
  return results;
}
