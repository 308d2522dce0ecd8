import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { mkdtemp, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
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


/** The GETs of the ISO in a scenario's transfer log: how each ended. */
function isoFetches(out: string, scenario: string): { outcome: string; complete: boolean }[] {
  const lines = readFileSync(join(out, scenario, 'transfers.jsonl'), 'utf8').split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as { method?: string; path: string; outcome: string; complete: boolean })
    .filter((t) => t.method === 'GET' && t.path.endsWith('.iso'))
    .map(({ outcome, complete }) => ({ outcome, complete }));
}

const readResults = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { complete: boolean; notRun?: string[]; results: ScenarioResult[] };

describe('QEMU killed with SIGKILL mid-boot', () => {
  it('during the ISO fetch: the boot is an ERROR naming the signal (not a FAIL, not retried), the next scenario runs, exit 2', async () => {
    const out = join(dir, 'qemu-killed');
    const scenarioFile = join(dir, 'slow-link.ts');
    await writeFile(scenarioFile, SLOW_LINK);
    const run = startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--scenarios', scenarioFile, '--scenario', 'ram-deploy-slow-link', '--scenario', 'netboot-kernel-missing', '--out', out], tempRoot);
    // Should an expectation fail before the run ends, its QEMU must not outlive this test into the next one's count.
    onTestFinished(async () => void (run.kill('SIGTERM') && (await run)));
    await waitFor(() => serialLogHas(out, 'ram-deploy-slow-link', /Starting dracut-initqueue/), 240_000, 'the initrd\'s fetch');
    const pid = await qemuPidOf(out, 'ram-deploy-slow-link');
    expect(pid, 'the QEMU of ram-deploy-slow-link, found by its temp folder').toBeDefined();
    // Into the transfer, two seconds after the guest's connection opened: the slow link keeps the
    // ISO's fetch going for about ten more, so QEMU dies mid-transfer, as the transfer log shows.
    await waitForAsync(() => guestConnected(out, 'ram-deploy-slow-link'), 60_000, 'the guest\'s connection to the publisher');
    await sleep(2_000);
    expect(await guestConnected(out, 'ram-deploy-slow-link'), 'the ISO still being fetched').toBe(true);
    process.kill(pid!, 'SIGKILL');
    const result = await run;
    expect(result.exitCode, `the exit code of an ERROR; stdout: ${result.stdout}`).toBe(2);
    expect(verdictsIn(out)).toEqual([['ram-deploy-slow-link', 'ERROR'], ['netboot-kernel-missing', 'PASS']]);
    const [killed] = readResults(out).results;
    expect(killed!.boots).toHaveLength(1);
    expect(killed!.boots[0]!.outsideCause).toMatch(/^QEMU was killed by SIGKILL, neither by the harness nor by the guest/);
    expect(killed!.reason).toMatch(/^boot 1 \(network boot into RAM\): QEMU was killed by SIGKILL, neither by the harness nor by the guest: the host's doing, not the ISO's/);
    expect(result.stdout).toMatch(/^ERROR ram-deploy-slow-link .*QEMU was killed by SIGKILL/m);
    expect(isoFetches(out, 'ram-deploy-slow-link'), 'the ISO\'s fetch, cut as QEMU died').toEqual([{ outcome: 'partial', complete: false }]);
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
  });
});

/**
 * ram-deploy-http over a slow link (8 MB/s, the fixture's ISO for about 13 s; unthrottled it
 * takes under two): a fetch long enough to be killed in the middle of, on any machine.
 */
const SLOW_LINK = `import { defineScenario } from 'pxe-harness';
export default defineScenario({
  name: 'ram-deploy-slow-link',
  summary: 'ram-deploy-http with the ISO throttled, the scenario whose QEMU is killed',
  publish: { protocol: 'http', fault: { kind: 'throttle', bytesPerSecond: 8_000_000 } },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});
`;

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
