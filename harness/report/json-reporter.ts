import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Reporter } from './reporter.js';

/** results.json in the run's output folder: every verdict with its evidence. */
export function jsonReporter(outDir: string, meta: Record<string, unknown>): Reporter {
  let info = {};
  return {
    name: 'json',
    onRunInfo(runInfo) {
      info = { liveModule: runInfo.liveModule };
    },
    async onRunEnd(results) {
      await writeFile(join(outDir, 'results.json'), JSON.stringify({ ...meta, ...info, finishedAt: new Date().toISOString(), results }, null, 2));
    },
  };
}
