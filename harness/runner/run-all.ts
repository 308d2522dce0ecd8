import { access, constants, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { dir as tmpDir } from 'tmp-promise';
import { DEFAULT_CREDENTIALS, type Credentials } from '../console/serial-shell.js';
import { inputError } from '../errors.js';
import { inspectIso } from '../iso/iso-image.js';
import { extractLoaderFiles } from '../iso/loader-files.js';
import { combineReporters, type Reporter } from '../report/reporter.js';
import type { ScenarioResult } from './result.js';
import { runScenario, type RunEnvironment } from './run-scenario.js';
import type { ScenarioDefinition } from './scenario.js';

export interface RunOptions {
  isoPath: string;
  scenarios: readonly ScenarioDefinition[];
  outDir: string;
  credentials?: Credentials;
  memoryMb?: number;
  cpus?: number;
  bootTimeoutMs?: number;
  keepTemp?: boolean;
  reporters?: Reporter[];
  signal?: AbortSignal;
  attach?: RunEnvironment['attach'];
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
  const reporter = combineReporters(options.reporters ?? []);
  const loaderDir = await tmpDir({ prefix: 'pxe-harness-loader-', unsafeCleanup: true });
  const results: ScenarioResult[] = [];
  try {
    const loader = await extractLoaderFiles(iso.path, loaderDir.path);
    const env: RunEnvironment = {
      iso,
      loader,
      outDir,
      credentials: options.credentials ?? DEFAULT_CREDENTIALS,
      machine: { memoryMb: options.memoryMb ?? 3072, cpus: options.cpus ?? 2, accel: 'tcg' },
      bootTimeoutMs: options.bootTimeoutMs ?? 300_000,
      keepTemp: options.keepTemp ?? false,
      reporter,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.attach ? { attach: options.attach } : {}),
    };
    reporter.onRunStart?.([...options.scenarios]);
    for (const scenario of options.scenarios) {
      if (options.signal?.aborted) break;
      results.push(await runScenario(scenario, env));
    }
    await reporter.onRunEnd?.(results);
    return results;
  } finally {
    await loaderDir.cleanup();
  }
}
