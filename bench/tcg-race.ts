import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import type { ScenarioResult } from '../harness/scenario/result.js';
import { runScenarios } from '../harness/engine/run-all.js';
import { defineScenario } from '../harness/scenario/index.js';
import { median, type Section } from './measure.js';

/** One way of running TCG: vCPUs per boot, QEMU's TCG threading, boots side by side. */
export interface TcgMode {
  id: string;
  cpus: number;
  thread: 'multi' | 'single';
  jobs: number;
}

export const TCG_MODES: Record<string, TcgMode> = {
  smp2: { id: 'smp2', cpus: 2, thread: 'multi', jobs: 1 },
  'smp2-single': { id: 'smp2-single', cpus: 2, thread: 'single', jobs: 1 },
  // One vCPU has one TCG thread whatever the mode; two side by side is how the main job runs.
  smp1: { id: 'smp1', cpus: 1, thread: 'multi', jobs: 2 },
};

const ramDeploy = (i: number) => defineScenario({
  name: `bench-tcg-race-${i + 1}`,
  summary: 'RAM deploy over http, verdict at the login prompt (no checks)',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});

/** The signature of the TCG race with the kernel's text patching (console/signatures.ts), in a first attempt's reason. */
const RACE = /tcg-text-patching|Oops: int3|alternative\.c|text patching/i;
/** Any other kernel death in a first attempt (a race that shows up under another name). */
const KERNEL_DEATH = /Kernel panic|kernel-panic|kernel-oops|\bOops\b/i;

interface Tally { races: number; otherDeaths: number; outcomes: string[]; loginS: number[] }

function tally(results: ScenarioResult[], log: (line: string) => void, mode: TcgMode): Tally {
  const t: Tally = { races: 0, otherDeaths: 0, outcomes: [], loginS: [] };
  results.forEach((result, i) => {
    const raced = RACE.test(result.reason);
    const died = !raced && KERNEL_DEATH.test(result.reason);
    if (raced) t.races++;
    if (died) t.otherDeaths++;
    const boot = result.boots[0];
    // A retried boot's timeline is the retry's: only a first attempt's time counts.
    const retried = result.reason.includes('retried once');
    if (boot?.timeline.login !== undefined && !retried) t.loginS.push(boot.timeline.login / 1000);
    t.outcomes.push(`${result.verdict}${raced ? ' (race)' : died ? ' (kernel death)' : ''}`);
    log(`tcg-race ${mode.id}: boot ${i + 1}: ${result.verdict}${raced || died ? `: ${result.reason.slice(0, 300)}` : ''}`);
  });
  return t;
}

async function measureMode(iso: string, boots: number, mode: TcgMode, log: (line: string) => void): Promise<Tally> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-tcg-'));
  try {
    const scenarios = Array.from({ length: boots }, (_, i) => ramDeploy(i));
    const results = await runScenarios({ isoPath: iso, scenarios, outDir, jobs: mode.jobs, cpus: mode.cpus, accel: 'tcg', tcgThread: mode.thread });
    return tally(results, log, mode);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/** An earlier run's results of one mode (the result.json of each boot, kept from its output folder). */
async function readResults(dir: string): Promise<ScenarioResult[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return Promise.all(names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as ScenarioResult));
}

/**
 * How often multi-threaded TCG races the guest kernel's live code patching (`Oops: int3` in plain
 * kernel text), per mode: `boots` RAM deploys of the BIOS fixture, counting first attempts that
 * ended on that signature (the runner retries it once, and says so in the reason) or on another
 * kernel death, with the median time from QEMU's start to `login:` of the first attempts. One
 * section per mode, handed to `save` as soon as it is measured; `earlier` names folders of an
 * earlier run's result.json files to tally instead of booting a mode again.
 */
export async function tcgRaceSections(boots: number, modes: TcgMode[], log: (line: string) => void, save: (s: Section[]) => Promise<void>, earlier: Record<string, string> = {}): Promise<void> {
  const iso = await fixtureIsoPath({ progress: true });
  for (const mode of modes) {
    const startedMs = Date.now();
    const from = earlier[mode.id];
    const t = from ? tally(await readResults(from), log, mode) : await measureMode(iso, boots, mode, log);
    const count = t.outcomes.length;
    const wall = from ? `earlier run (${from})` : `${((Date.now() - startedMs) / 60_000).toFixed(1)} min`;
    const loginS = t.loginS.length ? `${median(t.loginS).toFixed(1)} s (${Math.min(...t.loginS).toFixed(1)}-${Math.max(...t.loginS).toFixed(1)})` : 'none reached';
    await save([{
      id: `tcg-race-${mode.id}`,
      markdown: `### TCG race with the kernel's text patching: ${mode.cpus} vCPU(s), ${mode.thread}-threaded TCG, ${mode.jobs} boot(s) side by side

${count} RAM deploys of the BIOS fixture, \`-accel tcg${mode.thread === 'single' ? ',thread=single' : ''}\`, \`-smp ${mode.cpus}\`: **${t.races} of ${count}** first attempts ended on \`Oops: int3\` / text patching (the runner classifies that as ERROR and retries it once), ${t.otherDeaths} on another kernel death. QEMU start to \`login:\`, median (min-max) of the first attempts: ${loginS}. Wall time: ${wall}.

Outcomes in order: ${t.outcomes.join(', ')}.
`,
    }]);
  }
}
