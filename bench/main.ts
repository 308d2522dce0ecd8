/*
 * npm run bench: measures on this machine and writes docs/benchmarks.md (never part of npm test).
 *   BENCH_RUNS=N    runs per figure (default 3); each figure is their median
 *   BENCH_ONLY=a,b  only these parts: publishers, overhead, latency, transfer, loading, scheduling, firmware, boot-paths, tcg-race,
 *                   lean, outside, main-job, proof, architectures
 *   BENCH_SET=x,y   the scenarios of the scheduling part
 *   BENCH_TCG_BOOTS=N       boots per mode of the tcg-race part (default 20)
 *   BENCH_TCG_MODES=a,b     its modes (default all): smp2, smp2-single, smp1
 *   BENCH_TCG_RESULTS=m:dir  tally mode m from an earlier run's result.json files in dir
 *   BENCH_MAIN_WAYS=a,b     the main-job part's ways of scheduling (default both): jobs1, jobs2
 *   BENCH_KEEP_MAIN=1       keep the main-job part's output folders (printed) instead of removing them
 * A part that runs replaces its block in docs/benchmarks.md; the other blocks stay as they were,
 * each with the date and machine it was measured on.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../harness/util/package-root.js';
import { bootSections } from './boots.js';
import { architectureSections } from './architectures.js';
import { bootPathSections } from './boot-paths.js';
import { firmwareSections } from './firmware.js';
import { leanSections } from './lean.js';
import { mainJobSection, SCHEDULINGS } from './main-job.js';
import { outsideSections } from './outside.js';
import { mergeSections, type Section } from './measure.js';
import { proofSections } from './proof.js';
import { publisherSections } from './publishers.js';
import { TCG_MODES, tcgRaceSections } from './tcg-race.js';

const PARTS = ['publishers', 'overhead', 'latency', 'transfer', 'loading', 'scheduling', 'firmware', 'boot-paths', 'tcg-race', 'lean', 'outside', 'main-job', 'proof', 'architectures'];
const OWN_RUNNER = ['firmware', 'boot-paths', 'tcg-race', 'lean', 'outside', 'main-job', 'proof', 'architectures'];
const runs = Number(process.env.BENCH_RUNS ?? 3);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_RUNS must be a positive integer, got ${JSON.stringify(process.env.BENCH_RUNS)}`);
const wanted = process.env.BENCH_ONLY?.split(',').filter(Boolean) ?? PARTS;
const unknown = wanted.filter((p) => !PARTS.includes(p));
if (unknown.length) throw new Error(`BENCH_ONLY: unknown part(s) ${unknown.join(', ')}; choose from ${PARTS.join(', ')}`);
const only = (part: string) => wanted.includes(part);
const log = (line: string) => console.log(`bench: ${line}`);

const machine = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${(totalmem() / 1024 ** 3).toFixed(0)} GiB memory (${(freemem() / 1024 ** 3).toFixed(0)} GiB free), Node ${process.version}, TCG`;
const stamp = (sections: Section[]): Section[] =>
  sections.map((s) => ({ ...s, markdown: s.markdown.replace(/\n/, `\n\n_Measured ${machine}._\n`) }));

const path = join(packageRoot(), 'docs', 'benchmarks.md');
const save = async (sections: Section[]) => {
  const doc = await readFile(path, 'utf8').catch(() => '# Benchmarks\n');
  await writeFile(path, mergeSections(doc, stamp(sections)));
};

// Each part is saved as soon as it is measured: a long run cut short keeps what it measured.
if (only('publishers')) await save(await publisherSections(runs));
const bootParts = PARTS.slice(1).filter((p) => !OWN_RUNNER.includes(p)).filter(only);
for (const part of bootParts) await save(await bootSections(runs, (p) => p === part));
if (only('firmware')) await save(await firmwareSections(runs, log));
if (only('boot-paths')) await save(await bootPathSections(runs, log));
if (only('tcg-race')) {
  const boots = Number(process.env.BENCH_TCG_BOOTS ?? 20);
  if (!Number.isInteger(boots) || boots < 1) throw new Error(`BENCH_TCG_BOOTS must be a positive integer, got ${JSON.stringify(process.env.BENCH_TCG_BOOTS)}`);
  const modeIds = process.env.BENCH_TCG_MODES?.split(',').filter(Boolean) ?? Object.keys(TCG_MODES);
  const badModes = modeIds.filter((m) => !TCG_MODES[m]);
  if (badModes.length) throw new Error(`BENCH_TCG_MODES: unknown mode(s) ${badModes.join(', ')}; choose from ${Object.keys(TCG_MODES).join(', ')}`);
  // BENCH_TCG_RESULTS=mode:dir,...: tally an earlier run's result.json files for that mode instead of booting it.
  const earlier = Object.fromEntries((process.env.BENCH_TCG_RESULTS?.split(',').filter(Boolean) ?? []).map((e) => [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)]));
  await tcgRaceSections(boots, modeIds.map((m) => TCG_MODES[m]!), log, save, earlier);
}
if (only('lean')) await save(await leanSections(runs, log));
if (only('outside')) await save(await outsideSections(runs, log));
if (only('proof')) await save(await proofSections(runs, log));
if (only('architectures')) await save(await architectureSections(runs, log));
if (only('main-job')) {
  const ways = process.env.BENCH_MAIN_WAYS?.split(',').filter(Boolean) ?? Object.keys(SCHEDULINGS);
  const badWays = ways.filter((w) => !SCHEDULINGS[w]);
  if (badWays.length) throw new Error(`BENCH_MAIN_WAYS: unknown way(s) ${badWays.join(', ')}; choose from ${Object.keys(SCHEDULINGS).join(', ')}`);
  for (const way of ways) await save([await mainJobSection(SCHEDULINGS[way]!, log)]);
}
console.log(`bench: wrote ${path}`);
