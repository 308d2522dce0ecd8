import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { runScenarios } from '../harness/runner/run-all.js';
import { defineScenario } from '../harness/runner/scenario.js';
import type { Section } from './measure.js';

const ramDeploy = defineScenario({
  name: 'bench-tcg-race',
  summary: 'RAM deploy over http, verdict at the login prompt (no checks)',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});

/** The signature of the TCG race with the kernel's text patching (console/signatures.ts), in a first attempt's reason. */
const RACE = /tcg-text-patching|Oops: int3|alternative\.c|text patching/i;

/**
 * How often multi-threaded TCG races the guest kernel's live code patching (`Oops: int3` in plain
 * kernel text): `boots` RAM deploys of the fixture one after another with `cpus` vCPUs, counting
 * boots whose first attempt ended on that signature (the runner retries it once, and says so).
 */
export async function tcgRaceSections(boots: number, cpus: number, log: (line: string) => void): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true });
  const outcomes: string[] = [];
  let races = 0;
  for (let i = 0; i < boots; i++) {
    const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-tcg-'));
    try {
      const [result] = await runScenarios({ isoPath: iso, scenarios: [ramDeploy], outDir, jobs: 1, cpus, accel: 'tcg' });
      const raced = RACE.test(result!.reason);
      if (raced) races++;
      outcomes.push(`${result!.verdict}${raced ? ' (race)' : ''}`);
      log(`tcg-race: boot ${i + 1}/${boots}: ${result!.verdict}${raced ? `, raced: ${result!.reason.slice(0, 200)}` : ''}`);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }
  return [{
    id: `tcg-race-smp${cpus}`,
    markdown: `### TCG race with kernel text patching, smp ${cpus}

${boots} RAM deploys of the BIOS fixture one after another, \`-accel tcg\` (multi-threaded), ${cpus} vCPU(s): **${races} of ${boots}** first attempts ended on \`Oops: int3\` / text patching.

Outcomes in order: ${outcomes.join(', ')}.
`,
  }];
}
