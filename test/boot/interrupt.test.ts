import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureIsoPath } from '../../harness/iso/fixture-iso.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Interrupting a real run at several phases: the CLI must stop QEMU, the relays and the servers,
// remove its temp dirs, and exit 130.
const root = join(import.meta.dirname, '..', '..');
let iso: string;
let outDir: string;
let before: Leftovers;

beforeAll(async () => {
  iso = await fixtureIsoPath({ progress: false });
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  outDir = await mkdtemp(join(tmpdir(), 'pxe-interrupt-test-'));
  before = await leftovers();
});
afterAll(() => rm(outDir, { recursive: true, force: true }));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the awaited phase never came');
    await sleep(250);
  }
}

describe('interrupting a run', () => {
  const serialLog = (name: string) => join(outDir, name, 'ram-deploy-http', 'boot-1-network-boot-into-ram', 'serial.log');
  it.each([
    ['SIGTERM', 'QEMU just started', (log: string) => existsSync(log)],
    ['SIGINT', 'the kernel is booting', (log: string) => existsSync(log) && readFileSync(log, 'utf8').includes('Linux version')],
    ['SIGTERM', 'the initrd fetches the ISO', (log: string) => existsSync(log) && readFileSync(log, 'utf8').includes('dracut-initqueue')],
  ] as const)('%s while %s leaves nothing behind', async (signal, phase, reached) => {
    const name = phase.replace(/\W+/g, '-');
    const run = execa('node', [join(root, 'dist/cli/main.js'), 'run', '--accel', 'tcg', '--iso', iso, '--scenario', 'ram-deploy-http', '--out', join(outDir, name)], {
      cwd: root,
      reject: false,
    });
    await waitFor(() => reached(serialLog(name)), 240_000);
    const left = await newLeftovers(before);
    expect(left.processes.some((p) => p.includes('qemu-system-x86_64')), 'QEMU runs before the signal').toBe(true);
    run.kill(signal);
    const result = await run;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain(`${signal}: stopping the boot and cleaning up`);
    expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  });
});
