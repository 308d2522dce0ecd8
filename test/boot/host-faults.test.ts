import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { mkdtemp, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { guestConnected, prepareCliSandbox, qemuPidOf, serialLogHas, STACK_LINE, startRun, verdictsIn, waitFor, waitForAsync } from '../helpers/cli-run.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Faults of the host under a real run: QEMU killed from outside mid-boot, the disk under --out
// full. Each is the boot's ERROR naming the cause (never a FAIL of the ISO), the run goes on,
// nothing is left behind, no exception escapes. Cost here (2 cores, TCG): QEMU killed about
// 55 s (the ISO's fetch begins at about 41 s), the full disk about 15 s.
let iso: string;
let dir: string;
let before: Leftovers;
/** The runs' TMPDIR: their temp dirs, and nobody else's. */
let tempRoot: string;

beforeAll(async () => {
  ({ iso, dir, tempRoot, before } = await prepareCliSandbox('pxe-host-faults-test-'));
});
removeOnSuccess(() => dir, "the host fault tests' runs");


const readResults = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { complete: boolean; notRun?: string[]; results: ScenarioResult[] };

describe('QEMU killed with SIGKILL mid-boot', () => {
  it('during the ISO fetch: the boot is an ERROR naming the signal (not a FAIL, not retried), the next scenario runs, exit 2', async () => {
    const out = join(dir, 'qemu-killed');
    const run = startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--scenario', 'ram-deploy-http', '--scenario', 'netboot-kernel-missing', '--out', out], tempRoot);
    await waitFor(() => serialLogHas(out, 'ram-deploy-http', /Starting dracut-initqueue/), 240_000, 'the initrd\'s fetch');
    // Into the transfer (a guest connection to the publisher open for a moment): the publisher
    // sees the fetch cut as QEMU dies, a failed transfer racing QEMU's end to the verdict.
    await waitForAsync(() => guestConnected(out, 'ram-deploy-http'), 60_000, 'the guest\'s connection to the publisher');
    await sleep(2_000);
    const pid = await qemuPidOf(out, 'ram-deploy-http');
    expect(pid, 'the QEMU of ram-deploy-http, found by its temp folder').toBeDefined();
    expect(await guestConnected(out, 'ram-deploy-http'), 'the ISO still being fetched').toBe(true);
    process.kill(pid!, 'SIGKILL');
    const result = await run;
    expect(result.exitCode, `the exit code of an ERROR; stdout: ${result.stdout}`).toBe(2);
    expect(verdictsIn(out)).toEqual([['ram-deploy-http', 'ERROR'], ['netboot-kernel-missing', 'PASS']]);
    const [killed] = readResults(out).results;
    expect(killed!.boots).toHaveLength(1);
    expect(killed!.boots[0]!.outsideCause).toMatch(/^QEMU was killed by SIGKILL, neither by the harness nor by the guest/);
    expect(killed!.reason).toMatch(/^boot 1 \(network boot into RAM\): QEMU was killed by SIGKILL, neither by the harness nor by the guest: the host's doing, not the ISO's/);
    expect(result.stdout).toMatch(/^ERROR ram-deploy-http .*QEMU was killed by SIGKILL/m);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});

/** A second scenario like netboot-kernel-missing, from a scenario file of the user's (one boot of seconds). */
const SECOND = `import { defineScenario } from 'pxe-harness';
export default defineScenario({
  name: 'second-kernel-missing',
  summary: 'netboot-kernel-missing once more: the scenario that meets the full disk',
  publish: { protocol: 'http' },
  boots: [{
    name: 'network boot with no kernel', from: 'network', netbootFault: { missing: 'kernel' }, checks: [],
    expectFailure: { reason: /could not load/, why: 'the loader cannot load the kernel', phase: ['firmware', 'pxelinux'] },
  }],
});
`;

/** Fills the file system of `path` to its last byte with one file. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

const isRoot = process.getuid?.() === 0;

describe('the disk under --out full', () => {
  let mountPoint: string | undefined;
  beforeAll(async () => {
    if (!isRoot) return;
    mountPoint = await mkdtemp(join(tmpdir(), 'pxe-full-disk-'));
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint]);
  });
  afterAll(async () => {
    if (!mountPoint) return;
    await execa('umount', [mountPoint]);
    await rmdir(mountPoint);
  });

  it.skipIf(!isRoot)(`after the first scenario: the second is an ERROR naming ENOSPC and the file, the first verdict kept, nothing left, no stack${isRoot ? '' : ' (skipped: mounting a small tmpfs as the output folder needs root)'}`, async () => {
    const out = join(mountPoint!, 'out');
    const scenarioFile = join(dir, 'second.ts');
    await writeFile(scenarioFile, SECOND);
    const run = startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--scenarios', scenarioFile, '--scenario', 'netboot-kernel-missing', '--scenario', 'second-kernel-missing', '--out', out], tempRoot);
    await waitFor(() => verdictsIn(out).length === 1, 120_000, "the first scenario's verdict in results.json");
    fill(join(mountPoint!, 'filler'));
    const result = await run;
    expect(result.exitCode, `the exit code of an ERROR; stderr: ${result.stderr}`).toBe(2);
    // The first verdict stays, in the last results.json the run could write and on the terminal.
    const last = readResults(out);
    expect([last.complete, last.notRun, last.results.map((r) => [r.name, r.verdict])]).toEqual([false, ['second-kernel-missing'], [['netboot-kernel-missing', 'PASS']]]);
    expect(result.stdout).toMatch(/^PASS  netboot-kernel-missing /m);
    const second = /^ERROR second-kernel-missing .*$/m.exec(result.stdout)?.[0] ?? '';
    expect(second, 'the second scenario is an ERROR on the terminal').not.toBe('');
    expect(second).toContain('ENOSPC: no space left on device');
    expect(second).toContain(join(out, 'second-kernel-missing'));
    expect(result.stderr).toContain(`pxe-harness: reporter json failed in onScenarioEnd: results.json could not be written in ${out} (ENOSPC: no space left on device); the run goes on`);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});
