import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureIsoPath } from '../../harness/iso/fixture-iso.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// `pxe-harness reproduce DIR` boots a run's boot folder again with the serial console on the
// terminal (here: the test's pipes), and Ctrl-] ends it with everything cleaned up.
const root = join(import.meta.dirname, '..', '..');
let dir: string;
let before: Leftovers;

beforeAll(async () => {
  const iso = await fixtureIsoPath({ progress: false });
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-reproduce-test-'));
  // A boot folder as `run` leaves it (reproduce.json is what reproduce reads).
  await mkdir(join(dir, 'run', 'ram-deploy-http', 'boot-1-network-boot-into-ram'), { recursive: true });
  await writeFile(
    join(dir, 'run', 'ram-deploy-http', 'boot-1-network-boot-into-ram', 'reproduce.json'),
    JSON.stringify({ iso, scenario: 'ram-deploy-http', boot: 0, login: 'root:linux' }),
  );
  before = await leftovers();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reproduce', () => {
  it('boots the same setup with the console on the terminal; Ctrl-] quits and cleans up', async () => {
    const child = execa('node', [join(root, 'dist/cli/main.js'), 'reproduce', join(dir, 'run', 'ram-deploy-http'), '--out', join(dir, 'again')], {
      cwd: root,
      reject: false,
      stdin: 'pipe',
    });
    let seen = '';
    const kernelSeen = new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString('latin1');
        if (seen.includes('Run /init as init process')) resolve();
      });
    });
    await kernelSeen;
    expect(seen).toContain('console attached; press Ctrl-] to quit');
    expect(seen).toContain('Linux version');
    child.stdin!.write('\x1d');
    const result = await child;
    expect(seen).toContain('console detached');
    expect(result.stdout).toContain('reproducing ram-deploy-http, boot 1 of 1');
    expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  });
});
