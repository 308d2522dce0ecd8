import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// The CLI as a user runs it (the compiled dist/cli/main.js); bad input must exit 2 with a
// message that names the input and the fix, and leave nothing behind.
const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => execa('node', [join(root, 'dist/cli/main.js'), ...args], { reject: false, cwd: root });
let dir: string;
let before: Leftovers;

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-cli-test-'));
  before = await leftovers();
}, 120_000);
afterAll(async () => {
  expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  await rm(dir, { recursive: true, force: true });
});

describe('pxe-harness CLI', () => {
  it('lists the scenarios with what each proves', async () => {
    const result = await cli('list');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^ram-deploy-http\s+PXE boot with root=live:http/m);
    expect(result.stdout).toMatch(/^ram-deploy-ftp\s+PXE boot with root=live:ftp/m);
  });

  it('refuses a missing ISO with exit 2, naming it and the fix', async () => {
    const result = await cli('run', '--iso', join(dir, 'missing.iso'), '--out', join(dir, 'out'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`ISO ${join(dir, 'missing.iso')} cannot be read`);
    expect(result.stderr).toMatch(/fix: pass the path of an existing, readable live ISO with --iso/);
  });

  it('refuses a file that is not an ISO with exit 2', async () => {
    const notIso = join(dir, 'notes.txt');
    await writeFile(notIso, 'hello\n'.repeat(10_000));
    const result = await cli('run', '--iso', notIso, '--out', join(dir, 'out'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${notIso} is not an ISO 9660 image`);
  });

  it('refuses an unknown scenario with exit 2 and lists the known ones', async () => {
    const result = await cli('run', '--scenario', 'ram-deploy-gopher', '--iso', join(dir, 'x.iso'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown scenario "ram-deploy-gopher"');
    expect(result.stderr).toContain('ram-deploy-http, ram-deploy-ftp');
  });

  it.each([
    [['--cpus', 'zero'], /--cpus must be a positive whole number, got "zero"/],
    [['--login', 'rootonly'], /--login must be USER:PASSWORD, got "rootonly"/],
    [['--bogus'], /Unknown option '--bogus'/],
  ])('refuses bad options %j with exit 2, quoting the value', async (args, message) => {
    const result = await cli('run', ...args);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses an unknown command with exit 2', async () => {
    const result = await cli('boot');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown command "boot"');
  });
});
