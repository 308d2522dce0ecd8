import { describe, expect, it } from 'vitest';
import { CONFORMANCE, renderConformance } from '../../harness/report/conformance.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { SCENARIOS } from '../../scenarios/index.js';

const result = (name: string, verdict: ScenarioResult['verdict'], reason: string): ScenarioResult => ({
  name, summary: '', verdict, reason, durationMs: 1, boots: [], artifactsDir: `/out/${name}`,
});

describe('the conformance page', () => {
  it('names only built-in scenarios, and every row either names scenarios or says why it cannot run', () => {
    const known = new Set(SCENARIOS.map((s) => s.name));
    for (const row of CONFORMANCE) {
      expect(row.scenarios.every((n) => known.has(n)), row.option).toBe(true);
      expect(row.scenarios.length > 0 || Boolean(row.notRun), row.option).toBe(true);
    }
  });

  it('shows each option with what the boots showed, their verdicts under every firmware, and links; unselected rows say so', () => {
    const dolly = result('dolly-deploy', 'SKIP', 'does not apply: it publishes the ISO over dolly, and dolly is packaged by neither Debian nor npm');
    const page = renderConformance([result('ramdisk-size-unit', 'XFAIL', 'known issue: brd reads KiB | really'), result('ram-deploy-ftp@uefi', 'PASS', 'all 1 boot(s) passed'), dolly], '/out');
    const row = (option: string) => page.split('\n').find((l) => l.startsWith(`| \`${option}\``))!;
    expect(row('ramdisk_size=bytes')).toMatch(/\| ramdisk-size-unit XFAIL: known issue: brd reads KiB \\\| really \| XFAIL \| \[ramdisk-size-unit\]\(ramdisk-size-unit\/\) \|$/);
    expect(row('root=live:ftp://IP/PATH')).toContain('ram-deploy-ftp@uefi PASS');
    expect(row('root=live:dolly://IP/PATH')).toMatch(/dolly-deploy SKIP: does not apply: it publishes the ISO over dolly, and dolly is packaged by neither Debian nor npm \| SKIP \|/);
    expect(row('rd.kiwi.live.reset')).toMatch(/not run: none of persistent-lifecycle was selected in this run \| NOT RUN/);
  });
});
