import { existsSync } from 'node:fs';
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

describe('--max-failures, with the reporters asked for', () => {
  it('1: after the first failed scenario no other starts; the rest are SKIPPED as not run, exit 1; only line and json report; nothing left behind', async () => {
    const out = join(dir, 'max-failures');
    const scenarioFile = join(dir, 'failing.ts');
    await writeFile(scenarioFile, FAILING);
    const result = await startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--max-failures', '1', '--reporter', 'line,json', '--scenarios', scenarioFile, '--scenario', 'kernel-missing-unexpected', '--scenario', 'netboot-kernel-missing', '--out', out], tempRoot);
    expect(result.exitCode, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(1);
    expect(verdictsIn(out)).toEqual([['kernel-missing-unexpected', 'FAIL'], ['netboot-kernel-missing', 'SKIP']]);
    expect(result.stdout).toMatch(/^SKIP\s+netboot-kernel-missing .*not run: the run stopped after 1 failed scenario\(s\) \(--max-failures 1\)/m);
    expect(result.stdout).toMatch(/^1 not run: the run stopped starting scenarios \(--max-failures\)$/m);
    // --reporter line,json: plain lines (never redrawn), results.json; no JUnit, HTML or conformance page.
    expect(result.stdout).not.toContain('\r');
    expect(['junit.xml', 'report.html', 'conformance.md'].filter((f) => existsSync(join(out, f)))).toEqual([]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});
