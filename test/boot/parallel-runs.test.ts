import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCliSandbox, startRun, verdictsIn } from '../helpers/cli-run.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Two harness runs at once on one machine, each with its own --out, both as a user starts them
// (the fixture ISO and the KVM probe's answer from the shared cache, the accelerator probed):
// no port, folder, cache or lock of one may get in the other's way. Cost here: about 15 s.
let dir: string;
let before: Leftovers;
/** The runs' TMPDIR: their temp dirs, and nobody else's. */
let tempRoot: string;

beforeAll(async () => {
  ({ dir, tempRoot, before } = await prepareCliSandbox('pxe-parallel-runs-test-'));
});
removeOnSuccess(() => dir, 'the two runs');

describe('two runs at once', () => {
  it('each with its own --out: both end with their own normal verdict and exit code, nothing left behind', async () => {
    const outs = [join(dir, 'first'), join(dir, 'second')];
    const runs = outs.map((out) => startRun(['--scenario', 'netboot-kernel-missing', '--out', out], tempRoot));
    const results = await Promise.all(runs);
    for (const [i, result] of results.entries()) {
      expect(result.exitCode, `run ${i + 1}: stdout ${result.stdout}\nstderr ${result.stderr}`).toBe(0);
      expect(result.stdout).toMatch(/^PASS  netboot-kernel-missing /m);
      expect(verdictsIn(outs[i]!)).toEqual([['netboot-kernel-missing', 'PASS']]);
    }
    // Each run's boot wrote into its own folder: the two consoles are two boots, not one shared.
    const consoles = outs.map((out) => readFileSync(join(out, 'netboot-kernel-missing', 'boot-1-network-boot-with-no-kernel-in-the-tftp-root', 'serial.log'), 'utf8'));
    for (const text of consoles) expect(text).toMatch(/^\[[\s\d.]+\] PXELINUX [\s\S]*(Could not find kernel image: boot\/linux|Loading boot\/linux\.\.\. failed)/);
    // And they ran side by side: no lock made one wait for the other (each scenario's time ends
    // shortly before its run's finishedAt).
    const windows = outs.map((out) => {
      const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { finishedAt: string; results: { durationMs: number }[] };
      const endMs = Date.parse(run.finishedAt);
      return { fromMs: endMs - run.results[0]!.durationMs, toMs: endMs };
    });
    expect(windows[0]!.fromMs < windows[1]!.toMs && windows[1]!.fromMs < windows[0]!.toMs, `the scenarios overlapped in time: ${JSON.stringify(windows)}`).toBe(true);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});
