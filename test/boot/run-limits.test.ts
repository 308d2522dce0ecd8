import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCliSandbox, STACK_LINE, startRun, verdictsIn } from '../helpers/cli-run.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// --max-failures on a real run: a scenario that FAILs in seconds (its loader finds no kernel, and
// nothing expects that), then the run starts no more scenarios. About 20 s here (2 cores, TCG).
let iso: string;
let dir: string;
let before: Leftovers;
let tempRoot: string;

beforeAll(async () => {
  ({ iso, dir, tempRoot, before } = await prepareCliSandbox('pxe-run-limits-test-'));
});
removeOnSuccess(() => dir, "the run-limit tests' runs");

const FAILING = `import { defineScenario } from 'pxe-harness';
export default defineScenario({
  name: 'kernel-missing-unexpected',
  summary: 'the TFTP root lacks the kernel and nothing expects it: a FAIL in seconds',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot with no kernel', from: 'network', netbootFault: { missing: 'kernel' }, checks: [] }],
});
`;

/** An earlier run in which the scenario passed, its firmware phase 1 s long: the run below must read as a change and a slowdown. */
const BASELINE = {
  schemaVersion: 1,
  results: [{
    name: 'kernel-missing-unexpected', verdict: 'PASS', reason: 'r', summary: 's', durationMs: 1, artifactsDir: '.',
    boots: [{ name: 'network boot with no kernel', verdict: 'PASS', timeline: { firmware: 0, pxelinux: 1_000 }, artifactsDir: '.' }],
  }],
};

describe('--max-failures, with the reporters asked for, against a baseline', () => {
  it('1: after the first failed scenario no other starts; the rest are SKIPPED as not run, exit 1; only line and json report; the baseline\'s changes named; nothing left behind', async () => {
    const out = join(dir, 'max-failures');
    const scenarioFile = join(dir, 'failing.ts');
    await writeFile(scenarioFile, FAILING);
    const baseline = join(dir, 'baseline.json');
    await writeFile(baseline, JSON.stringify(BASELINE));
    const result = await startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--max-failures', '1', '--reporter', 'line,json', '--baseline', baseline, '--regression-threshold', '50', '--scenarios', scenarioFile, '--scenario', 'kernel-missing-unexpected', '--scenario', 'netboot-kernel-missing', '--out', out], tempRoot);
    expect(result.exitCode, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(1);
    expect(verdictsIn(out)).toEqual([['kernel-missing-unexpected', 'FAIL'], ['netboot-kernel-missing', 'SKIP']]);
    expect(result.stdout).toMatch(/^SKIP\s+netboot-kernel-missing .*not run: the run stopped after 1 failed scenario\(s\) \(--max-failures 1\)/m);
    expect(result.stdout).toMatch(/^1 not run: the run stopped starting scenarios \(--max-failures\)$/m);
    // --reporter line,json: plain lines (never redrawn), results.json; no JUnit, HTML or conformance page.
    expect(result.stdout).not.toContain('\r');
    // The baseline: a PASS that now FAILs, and a firmware phase (SeaBIOS's PXE, seconds under TCG) far slower than 1 s.
    expect(result.stdout).toContain(`against the baseline ${baseline}: 2 verdict change(s), 1 phase(s) more than 50 % slower`);
    expect(result.stdout).toContain('  verdict kernel-missing-unexpected: PASS -> FAIL');
    expect(result.stdout).toContain('  verdict netboot-kernel-missing: absent -> SKIP');
    expect(result.stdout).toMatch(/^ {2}slower kernel-missing-unexpected \/ network boot with no kernel: firmware 1\.0 s -> \d+\.\d s \(\+\d+ %\)$/m);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { baseline: { regressions: unknown[] } };
    expect(written.baseline.regressions).toHaveLength(1);
    expect(['junit.xml', 'report.html', 'conformance.md'].filter((f) => existsSync(join(out, f)))).toEqual([]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});
