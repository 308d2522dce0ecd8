import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import type { ScenarioResult } from '../harness/runner/result.js';
import { runScenarios } from '../harness/runner/run-all.js';
import { defineScenario } from '../harness/runner/scenario.js';
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

/**
 * How often multi-threaded TCG races the guest kernel's live code patching (`Oops: int3` in plain
 * kernel text), per mode: `boots` RAM deploys of the BIOS fixture, counting first attempts that
 * ended on that signature (the runner retries it once, and says so in the reason) or on another
 * kernel death, with the median time from QEMU's start to `login:` of the first attempts.
 */
export async function tcgRaceSections(boots: number, modes: TcgMode[], log: (line: string) => void): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true });
  const rows: string[] = [];
  for (const mode of modes) {
    const startedMs = Date.now();
    const t = await measureMode(iso, boots, mode, log);
    const wallS = (Date.now() - startedMs) / 1000;
    const loginS = t.loginS.length ? `${median(t.loginS).toFixed(1)} s` : 'none reached';
    rows.push(`| ${mode.cpus} | ${mode.thread} | ${mode.jobs} | **${t.races} of ${boots}** | ${t.otherDeaths} | ${loginS} | ${(wallS / 60).toFixed(1)} min | ${t.outcomes.join(', ')} |`);
  }
  return [{
    id: 'tcg-race',
    markdown: `### TCG race with the kernel's text patching

${boots} RAM deploys of the BIOS fixture per row, \`-accel tcg\`; a race is a first attempt that ended on \`Oops: int3\` / text patching (the runner classifies it as ERROR and retries it once).

| vCPUs | TCG threads | boots side by side | races | other kernel deaths | median QEMU start to \`login:\` | wall time | outcomes in order |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }];
}
