import { planParallelism } from '../../harness/runner/run-all.js';
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
    for (const name of ['ram-deploy-http', 'ram-deploy-ftp', 'ram-deploy-https', 'ramdisk-too-small', 'persistent-lifecycle']) expect(result.stderr).toContain(name);
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

  it.each(['0/2', '3/2', 'a/b', '1'])('refuses --shard %s with exit 2', async (value) => {
    const result = await cli('run', '--shard', value);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--shard must be I/N with 1 <= I <= N, got "${value}"`);
  });

  it('reproduce refuses a folder that is no run output, naming it', async () => {
    const result = await cli('reproduce', dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${dir} holds no reproduce.json`);
  });

  it('doctor reports every host tool the harness needs', async () => {
    const result = await cli('doctor');
    expect([0, 2]).toContain(result.exitCode);
    for (const tool of ['qemu-system-x86_64', 'qemu-img', 'xorriso', 'socat', '/usr/lib/PXELINUX/pxelinux.0', 'KVM', 'free memory']) {
      expect(result.stdout).toContain(tool);
    }
    // On this machine, prepared by scripts/prepare.sh, nothing is missing.
    expect(result.stdout).not.toContain('MISSING');
  });

  it('refuses --accel with a value it does not know', async () => {
    const result = await cli('run', '--accel', 'hvf');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--accel must be auto, tcg or kvm, got "hvf"');
  });

  it('--accel kvm is an ERROR (exit 2) when the probe finds KVM unusable, and --accel auto falls back with a notice', async () => {
    const { probeKvm } = await import('../../harness/qemu/accel-probe.js');
    const probe = await probeKvm();
    // A bad output folder: the run stops right after the accel decision, before any boot.
    const notIso = join(dir, 'not-an-iso.iso');
    await writeFile(notIso, Buffer.alloc(40_000));
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'X', '-o', notIso, join(root, 'images', 'fixture', 'root')]);
    const blocked = join(dir, 'file-not-folder');
    await writeFile(blocked, 'x');
    const kvm = await cli('run', '--accel', 'kvm', '--iso', notIso, '--out', join(blocked, 'out'));
    const auto = await cli('run', '--accel', 'auto', '--iso', notIso, '--out', join(blocked, 'out'));
    if (probe.usable) {
      // KVM works here: both go on to the output folder check.
      expect(kvm.stderr).toContain('cannot be written');
      expect(auto.stderr).not.toContain('KVM not usable');
    } else {
      expect(kvm.exitCode).toBe(2);
      expect(kvm.stderr).toContain('KVM does not work here');
      expect(kvm.stderr).toContain('fix: run with --accel tcg');
      expect(auto.stderr).toContain('KVM not usable');
      expect(auto.stderr).toContain('booting under TCG');
      expect(auto.exitCode).toBe(2);
      expect(auto.stderr).toContain(`output folder ${join(blocked, 'out')} cannot be written`);
    }
  }, 60_000);

  it('a missing host tool is exit 2 naming the tool and the package to install', async () => {
    // An ISO that is one, and a PATH without the host tools (node itself by its full path).
    const iso = join(dir, 'tiny.iso');
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'T', '-o', iso, join(root, 'images', 'fixture', 'root')]);
    const result = await execa(process.execPath, [join(root, 'dist/cli/main.js'), 'run', '--accel', 'tcg', '--iso', iso, '--out', join(dir, 'out-tools')], {
      reject: false,
      cwd: root,
      env: { PATH: join(dir, 'empty-path') },
      extendEnv: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("host tool 'xorriso' is not installed");
    expect(result.stderr).toContain('fix: apt-get install xorriso');
  });

  it('refuses an unknown command with exit 2', async () => {
    const result = await cli('boot');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown command "boot"');
  });
});

describe('parallelism of a run', () => {
  const host = { cores: 2, freeBytes: 20 * 1024 ** 3 };
  it('boots one per core with the cores shared, for a set of scenarios', () => {
    expect(planParallelism({ scenarios: 9 }, host)).toEqual({ jobs: 2, cpus: 1 });
  });
  it('gives one scenario alone both cores, whatever --jobs says', () => {
    expect(planParallelism({ scenarios: 1 }, host)).toEqual({ jobs: 1, cpus: 2 });
    expect(planParallelism({ scenarios: 1, jobs: 4 }, host)).toEqual({ jobs: 1, cpus: 2 });
  });
  it('boots fewer side by side when the free memory holds fewer guests', () => {
    expect(planParallelism({ scenarios: 9, memoryMb: 3072 }, { cores: 8, freeBytes: 9 * 1024 ** 3 })).toEqual({ jobs: 2, cpus: 4 });
  });
  it('keeps what the user asked for', () => {
    expect(planParallelism({ scenarios: 9, jobs: 3, cpus: 1 }, host)).toEqual({ jobs: 3, cpus: 1 });
  });
});
