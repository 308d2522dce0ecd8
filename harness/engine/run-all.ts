import { resolve } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { DEFAULT_ARCHITECTURE } from '../arch/index.js';
import { DEFAULT_CREDENTIALS } from '../console/serial-shell.js';
import { inspectIso } from '../iso/iso-image.js';
import { readIsoBootFacts } from '../iso/boot-facts.js';
import { extractLoaderFiles } from '../iso/loader-files.js';
import { DEFAULT_FIRMWARE_ID, firmwareById } from '../firmware/index.js';
import { detectLiveModule } from '../live/index.js';
import { readLiveImageFacts } from '../iso/live-image-facts.js';
import type { RunEnvironment } from './environment.js';
import type { ScenarioResult } from '../scenario/result.js';
import { firmwareJobs } from './firmware-matrix.js';
import { combineObservers } from './run-observer.js';
import { runScenario } from './run-scenario.js';
import { ensureOutputFolder } from './output-folder.js';
import { validateRunOptions, type RunOptions } from './run-config.js';

export type { RunOptions } from './run-config.js';

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
    // KIWI keeps kernel and initrd where the architecture says, whichever live module the initrd
    // carries. A wrong --live-module is refused before the output folder is made.
    const arch = DEFAULT_ARCHITECTURE;
    const loader = await extractLoaderFiles(iso.path, loaderDir.path, arch.loaderLocations);
    const live = await readLiveImageFacts(iso.path, loader.initrdPath, arch.loaderLocations.initrd);
    const { profile: liveModule, evidence } = detectLiveModule(iso.path, live, options.liveModule);
    const outDir = await ensureOutputFolder(options.outDir);
    reporter.onRunInfo?.({ iso: iso.path, liveModule: { id: liveModule.id, evidence } });
    const env: RunEnvironment = {
      iso: { ...iso, boot: await readIsoBootFacts(iso.path), live },
      loader,
      arch,
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
