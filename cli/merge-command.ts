import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError } from '../harness/errors.js';
import { ensureOutputFolder } from '../harness/engine/output-folder.js';
import { combineObservers } from '../harness/engine/run-observer.js';
import { mapFolders, RESULTS_SCHEMA_VERSION } from '../harness/report/json-reporter.js';
import type { ScenarioResult } from '../harness/scenario/result.js';
import { commandArgs } from './command-args.js';
import { exitCodeFor } from './exit-code.js';
import { reportsNotWritten } from './reports-written.js';
import { makeReporters } from './run-reporters.js';
import { showUsage } from './usage.js';

const MERGE_FLAGS = { out: { type: 'string', default: 'merged' } } as const;

/** What merge reads of a shard's results.json. */
export interface ShardResults {
  dir: string;
  schemaVersion?: number;
  iso?: string;
  isoFile?: { name: string; sizeBytes: number; volumeId: string };
  harness?: { version: string };
  liveModule?: { id: string; evidence: string };
  complete?: boolean;
  startedAt?: string;
  results: ScenarioResult[];
}

/** A shard's results.json, its folders made absolute again (results.json keeps them relative to the shard). */
export async function readShard(dir: string): Promise<ShardResults> {
  const file = join(dir, 'results.json');
  const text = await readFile(file, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw inputError(`merge cannot read ${file} (${cause.code ?? cause.message})`, dir, 'pass the output folder of a run (the --out of pxe-harness run), which holds its results.json', cause);
  });
  let shard: Omit<ShardResults, 'dir'>;
  try {
    shard = JSON.parse(text) as Omit<ShardResults, 'dir'>;
  } catch (cause) {
    throw inputError(`merge cannot read ${file}: it is not whole JSON`, dir, 'pass the output folder of a run that ended (or rerun that shard)', cause);
  }
  if (shard.schemaVersion !== RESULTS_SCHEMA_VERSION || !Array.isArray(shard.results)) {
    throw inputError(`${file} is results.json of schema ${JSON.stringify(shard.schemaVersion ?? 'none')}, merge reads schema ${RESULTS_SCHEMA_VERSION}`, dir, 'merge shards written by this pxe-harness version (rerun them)');
  }
  return { ...shard, dir, results: mapFolders(shard.results, (path) => resolve(dir, path)) };
}

/** What makes two shards parts of one run: the same ISO (name, size, volume id) and the same harness. */
function identity(shard: ShardResults): { iso: string; harness: string } {
  const iso = shard.isoFile ? `${shard.isoFile.name} (${shard.isoFile.sizeBytes} bytes, volume id ${shard.isoFile.volumeId})` : basename(shard.iso ?? '?');
  return { iso, harness: shard.harness?.version ?? 'unknown' };
}

/** Refuses shards of different ISOs or harness versions, a shard that did not finish, and a scenario in two shards. */
export function checkShards(shards: readonly ShardResults[]): void {
  const first = identity(shards[0]!);
  for (const shard of shards) {
    const own = identity(shard);
    if (own.iso !== first.iso) throw inputError(`merge takes the shards of one ISO: ${shards[0]!.dir} ran ${first.iso}, ${shard.dir} ran ${own.iso}`, shard.dir, 'merge the shards of each ISO separately');
    if (own.harness !== first.harness) throw inputError(`merge takes the shards of one harness version: ${shards[0]!.dir} was run by ${first.harness}, ${shard.dir} by ${own.harness}`, shard.dir, 'rerun the shards with the same pxe-harness');
    if (shard.complete !== true) throw inputError(`${join(shard.dir, 'results.json')} holds a run that did not finish (complete is not true)`, shard.dir, 'rerun that shard, or leave it out');
  }
  const seen = new Map<string, string>();
  for (const shard of shards) {
    for (const r of shard.results) {
      const other = seen.get(r.name);
      if (other) throw inputError(`scenario ${r.name} is in two shards: ${other} and ${shard.dir}`, shard.dir, 'merge shards of one split (--shard I/N with the same N), each once');
      seen.set(r.name, shard.dir);
    }
  }
}

/**
 * merge DIR... --out DIR: the results of shards (a run split with --shard over CI machines) as one
 * run: results.json, junit.xml and report.html in the output folder, pointing at each shard's own
 * evidence. Exit code as the merged run's.
 */
export async function mergeCommand(argv: string[]): Promise<number> {
  const args = commandArgs('merge', argv, MERGE_FLAGS, true);
  if (args === 'help') return showUsage();
  const { values, positionals } = parseArgs({ args, options: MERGE_FLAGS, strict: true, allowPositionals: true });
  if (!positionals.length) throw inputError('merge needs the output folders of the shards', 'merge', 'pass them: pxe-harness merge out-1 out-2 out-3 --out merged');
  const shards = await Promise.all(positionals.map((dir) => readShard(resolve(dir))));
  checkShards(shards);
  const outDir = await ensureOutputFolder(resolve(values.out));
  const results = shards.flatMap((s) => s.results);
  const first = shards[0]!;
  const startedAt = shards.map((s) => s.startedAt).filter((t): t is string => typeof t === 'string').sort()[0];
  const meta = {
    iso: first.iso ?? '?', ...(first.isoFile ? { isoFile: first.isoFile } : {}), ...(first.harness ? { harness: first.harness } : {}),
    ...(startedAt ? { startedAt } : {}), mergedFrom: shards.map((s) => s.dir),
  };
  const reporter = combineObservers(makeReporters(['json', 'junit', 'html'], outDir, meta));
  if (first.liveModule) reporter.onRunInfo?.({ iso: meta.iso, liveModule: first.liveModule });
  await reporter.onRunEnd?.(results);
  const lost = await reportsNotWritten(outDir);
  if (lost) throw inputError(`merge could not write its reports: ${lost}`, outDir, 'pass an --out folder you can write to');
  process.stdout.write(`merged ${results.length} result(s) of ${shards.length} shard(s) into ${outDir}: results.json, junit.xml, report.html\n`);
  return exitCodeFor(results);
}
