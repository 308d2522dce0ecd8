import { runScenarios } from '../../harness/engine/run-all.js';
import { checkOutputFolder, ensureOutputFolder } from '../../harness/engine/output-folder.js';
import { hostCapacity, planParallelism, validateRunOptions } from '../../harness/engine/run-config.js';
import { HarnessError } from '../../harness/errors.js';
import { SCENARIOS } from '../../scenarios/index.js';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIWI_LIVE_INITRD, tinyLiveIso } from '../helpers/cpio.js';

// The CLI as a user runs it (the compiled dist/cli/main.js); bad input must exit 2 with a
// message that names the input and the fix, and leave nothing behind.
const root = join(import.meta.dirname, '..', '..');
const cli = (...args: string[]) => execa('node', [join(root, 'dist/cli/main.js'), ...args], { reject: false, cwd: root });

/**
 * What runs with TMPDIR under `tmp` left behind: the temp dirs of the harness in it, and the
 * processes (QEMU, relays, a fixture build) that inherited that TMPDIR. Unlike a look at all of
 * /tmp and all QEMUs, this holds while a boot job runs beside the tests.
 */
async function leftBehind(tmp: string): Promise<{ processes: string[]; tempDirs: string[] }> {
  const processes: string[] = [];
  for (const pid of (await readdir('/proc')).filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)) {
    const environ = (await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')).split('\0');
    if (environ.some((v) => v === `TMPDIR=${tmp}` || v.startsWith(`TMPDIR=${tmp}/`))) {
      processes.push(`${pid}: ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').slice(0, 120)}`);
    }
  }
  const tempDirs: string[] = [];
  for (const entry of await readdir(tmp)) {
    if (entry.startsWith('pxe-harness-')) tempDirs.push(entry);
    if (entry.startsWith('tmpdir-')) tempDirs.push(...(await readdir(join(tmp, entry))).map((d) => `${entry}/${d}`));
  }
  return { processes, tempDirs };
}

/**
 * A run that must end at once: killed (SIGKILL, which no handler of the CLI catches) after 20 s,
 * so that a hang fails the test instead of the test run. It gets a TMPDIR of its own: what it
 * left behind comes back with its result. `withoutTools`: a PATH without any tool (node by its
 * full path), so that no QEMU, no KVM probe and no fixture build (bash) can start, whatever the run
 * would do next: a run without --iso, as users type it, that can never boot.
 */
async function quickRun(args: string[], { withoutTools = false } = {}) {
  const tmp = await mkdtemp(join(ownTmp, 'tmpdir-'));
  const result = await execa(process.execPath, [join(root, 'dist/cli/main.js'), 'run', ...args], {
    reject: false,
    cwd: root,
    timeout: 20_000,
    killSignal: 'SIGKILL',
    ...(withoutTools ? { env: { PATH: join(dir, 'empty-path'), TMPDIR: tmp }, extendEnv: false } : { env: { TMPDIR: tmp } }),
  });
  return Object.assign(result, { leftBehind: await leftBehind(tmp) });
}
/** The KVM probe boots firmware for 8 s: a run refused in less than this did not probe. */
const BEFORE_THE_PROBE_MS = 5_000;
let dir: string;
/** The TMPDIR of this file's runs, in-process ones too (tmp-promise reads it at each call). */
let ownTmp: string;
const tmpdirBefore = process.env.TMPDIR;
/** An ISO that is one but holds no kernel: a run given it can never boot, whatever it checks. */
let loaderless: string;

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-cli-test-'));
  ownTmp = await mkdtemp(join(tmpdir(), 'pxe-cli-test-tmpdir-'));
  process.env.TMPDIR = ownTmp;
  loaderless = join(dir, 'loaderless.iso');
  await execa('xorriso', ['-as', 'mkisofs', '-V', 'NOLOADER', '-o', loaderless, join(root, 'images', 'fixture', 'root')]);
}, 120_000);
afterAll(async () => {
  if (tmpdirBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpdirBefore;
  try {
    expect(await leftBehind(ownTmp)).toEqual({ processes: [], tempDirs: [] });
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(ownTmp, { recursive: true, force: true });
  }
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

  it('refuses an ISO whose initrd carries no live module, and a --live-module the initrd contradicts, with exit 2 and no output folder', async () => {
    const make = (name: string, initrd: Record<string, string>) => tinyLiveIso(dir, name, { initrd });
    const neither = await make('no-module', { 'usr/bin/bash': '' });
    const kiwi = await make('kiwi-live', KIWI_LIVE_INITRD);
    const out = join(dir, 'out-live-module');
    const none = await quickRun(['--iso', neither, '--out', out, '--accel', 'tcg', '--scenario', 'ram-deploy-http']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain(`ISO ${neither} has no live dracut module in its initrd: neither kiwi-live nor dmsquash-live`);
    const wrong = await quickRun(['--iso', kiwi, '--out', out, '--accel', 'tcg', '--scenario', 'ram-deploy-http', '--live-module', 'dmsquash']);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/--live-module dmsquash does not match ISO .*kiwi-live\.iso: its initrd carries kiwi-live \(usr\/sbin\/kiwi-live-root\)/);
    expect(wrong.stderr).toMatch(/fix: drop --live-module, or pass --live-module kiwi-live/);
    const unknown = await quickRun(['--iso', kiwi, '--out', out, '--live-module', 'casper']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown live module "casper"');
    expect(existsSync(out)).toBe(false);
    for (const run of [none, wrong, unknown]) expect(run.leftBehind).toEqual({ processes: [], tempDirs: [] });
  });

  it('--version prints the package version; an unknown command names the closest and every command', async () => {
    const version = await cli('--version');
    expect(version.exitCode).toBe(0);
    const { version: expected } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`pxe-harness ${expected}`);
    const typo = await cli('lsit');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain('fix: did you mean list? the commands are run, list, init, reproduce, merge, inspect, doctor');
  });

  it('list takes the selection flags of run (globs, --grep, --shard) and prints JSON with --json', async () => {
    const globbed = await cli('list', '--scenario', 'ram-deploy-*', '--grep-invert', 'lpxelinux', '--json');
    expect(globbed.exitCode, globbed.stderr).toBe(0);
    const names = (JSON.parse(globbed.stdout) as { name: string; boots: string[] }[]).map((s) => s.name);
    expect(names).toEqual(['ram-deploy-http', 'ram-deploy-ftp', 'ram-deploy-https', 'ram-deploy-https-verified']);
    const grepped = await cli('list', '--grep', 'HTTPS', '--shard', '1/2');
    expect(grepped.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['ram-deploy-https', 'ram-deploy-https-verified']);
    const none = await cli('list', '--grep', 'gopher');
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no scenario matches --grep gopher');
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
    [['--bogus'], /unknown option --bogus of run/],
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
    for (const tool of ['qemu-system-x86_64', 'qemu-system-aarch64', 'qemu-img', 'xorriso', 'socat', '/usr/lib/PXELINUX/pxelinux.0', 'GRUB x86_64-efi modules', 'GRUB arm64-efi modules', 'KVM', 'free memory']) {
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
    // An ISO without a kernel: the run stops right after the accel decision, at the loader files.
    const kvm = await cli('run', '--accel', 'kvm', '--scenario', 'ram-deploy-http', '--iso', loaderless, '--out', join(dir, 'out-kvm'));
    const auto = await cli('run', '--accel', 'auto', '--scenario', 'ram-deploy-http', '--iso', loaderless, '--out', join(dir, 'out-auto'));
    const noLoader = `ISO ${loaderless} has no /boot/x86_64/loader/linux`;
    if (probe.usable) {
      // KVM works here: both go on to the loader files.
      expect(kvm.stderr).toContain(noLoader);
      expect(auto.stderr).not.toContain('KVM not usable');
    } else {
      expect(kvm.exitCode).toBe(2);
      expect(kvm.stderr).toContain('KVM does not work here');
      expect(kvm.stderr).toContain('fix: run with --accel tcg');
      expect(kvm.stderr).not.toContain(noLoader);
      expect(auto.stderr).toContain('KVM not usable');
      expect(auto.stderr).toContain('booting under TCG');
      expect(auto.exitCode).toBe(2);
      expect(auto.stderr).toContain(noLoader);
    }
  }, 60_000);

  it('a missing host tool is exit 2 naming the tool and the package to install', async () => {
    // An ISO that is one, and a PATH without the host tools (node itself by its full path).
    const iso = join(dir, 'tiny.iso');
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'T', '-o', iso, join(root, 'images', 'fixture', 'root')]);
    const result = await execa(process.execPath, [join(root, 'dist/cli/main.js'), 'run', '--accel', 'tcg', '--iso', iso, '--out', join(dir, 'out-tools')], {
      reject: false,
      cwd: root,
      env: { PATH: join(dir, 'empty-path'), TMPDIR: ownTmp },
      extendEnv: false,
    });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("host tool 'xorriso' is not installed");
    expect(result.stderr).toContain('fix: apt-get install xorriso');
  });

  it('refuses an ISO cut short as truncated (not as "no loader"), exit 2, leaving nothing behind', async () => {
    const cut = join(dir, 'cut.iso');
    const tree = join(dir, 'tree-cut');
    await mkdir(tree);
    await writeFile(join(tree, 'squashfs'), Buffer.alloc(3_000_000, 7));
    await execa('xorriso', ['-as', 'mkisofs', '-V', 'CUT', '-o', cut, tree]);
    const whole = (await stat(cut)).size;
    await truncate(cut, Math.floor(whole * 0.6));
    const out = join(dir, 'out-cut');
    const result = await quickRun(['--iso', cut, '--accel', 'tcg', '--scenario', 'ram-deploy-http', '--out', out]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`ISO ${cut} is truncated: its volume descriptor declares ${(whole / 2 ** 20).toFixed(1)} MiB \\(${whole} bytes\\), the file has ${(Math.floor(whole * 0.6) / 2 ** 20).toFixed(1)} MiB`));
    expect(result.stderr).toContain('fix: download or copy the ISO again');
    expect(result.stderr).not.toContain('not a KIWI live ISO');
    expect(existsSync(out)).toBe(false);
    expect(result.leftBehind).toEqual({ processes: [], tempDirs: [] });
  });

  describe('an output folder that cannot be used is exit 2 at once: before the KVM probe, the fixture ISO, any folder', () => {
    const fileNotFolder = () => join(dir, 'file-not-folder');
    const dangling = () => join(dir, 'dangling');
    beforeAll(async () => {
      await writeFile(fileNotFolder(), 'x');
      await symlink(join(dir, 'no-such-target'), dangling());
    });
    it.each<[string, () => string, RegExp]>([
      // Node's mkdir({ recursive: true }) spun forever on these two: the run printed nothing and hung.
      ['a path under /proc', () => '/proc/nope', /output folder "\/proc\/nope" cannot be used: \/proc takes no new folders \(ENOENT/],
      ['a path under a dangling symbolic link', () => join(dangling(), 'out'), /is a symbolic link to something that does not exist/],
      ['a folder that takes no new folders, even from root (/proc)', () => '/proc', /output folder "\/proc" cannot be used: \/proc takes no new folders/],
      ['a path under a read-only folder (/sys, even for root)', () => '/sys/nope', /output folder "\/sys\/nope" cannot be used: \/sys takes no new folders \(EPERM/],
      ['a path under a regular file', () => join(fileNotFolder(), 'out'), /cannot be used: a part of .*file-not-folder\/out is a file, not a folder/],
      ['a regular file', () => fileNotFolder(), /file-not-folder is a file, not a folder/],
      ['an empty string (it meant the current folder)', () => '', /output folder "" cannot be used: the path is empty/],
    ])('%s', async (_what, out, message) => {
      const entries = await readdir(root);
      // With --accel auto (the KVM probe) and an ISO that holds no kernel: nothing could ever
      // boot, even if the check let the folder through.
      const withIso = await quickRun(['--out', out(), '--scenario', 'ram-deploy-http', '--iso', loaderless]);
      // As the user typed it, without --iso (the fixture ISO), on a PATH where nothing can start.
      const plain = await quickRun(['--out', out(), '--scenario', 'ram-deploy-http'], { withoutTools: true });
      for (const result of [withIso, plain]) {
        expect(result.timedOut).toBe(false);
        expect(result.exitCode).toBe(2);
        expect(result.durationMs).toBeLessThan(BEFORE_THE_PROBE_MS);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toMatch(/fix: .*--out/);
        expect(result.stderr).not.toMatch(/KVM not usable|KVM does not work|\[fixture|host tool/);
        expect(result.leftBehind).toEqual({ processes: [], tempDirs: [] });
      }
      expect(await readdir(root)).toEqual(entries);
    }, 60_000);
  });

  describe('every option is checked before anything slow starts (the KVM probe, the fixture ISO), quoting the value', () => {
    const cores = availableParallelism();
    const memoryMiB = Math.floor(totalmem() / 2 ** 20);
    let cases = 0;
    it.each<[string[], RegExp, RegExp]>([
      [['--memory-mb', '10'], /--memory-mb must be at least 256 \(MiB of guest memory\), got "10"/, /fix: pass e\.g\. --memory-mb 3072/],
      [['--memory-mb', String(memoryMiB + 1)], new RegExp(`--memory-mb must be at most ${memoryMiB} \\(MiB of guest memory: this host has ${memoryMiB} MiB\\), got "${memoryMiB + 1}"`), new RegExp(`fix: pass --memory-mb ${memoryMiB} or less`)],
      [['--memory-mb', '3e3'], /--memory-mb must be a positive whole number, got "3e3"/, /fix: pass e\.g\. --memory-mb 3072/],
      [['--cpus', '0'], /--cpus must be at least 1 \(vCPUs per guest\), got "0"/, /fix: pass e\.g\. --cpus/],
      [['--cpus', String(cores + 1)], new RegExp(`--cpus must be at most ${cores} \\(vCPUs per guest: this host has ${cores} cores`), new RegExp(`fix: pass --cpus ${cores} or less`)],
      [['--jobs', '0'], /--jobs must be at least 1 \(boots side by side\), got "0"/, /fix: pass e\.g\. --jobs 2/],
      [['--jobs', '1.5'], /--jobs must be a positive whole number, got "1\.5"/, /fix: pass e\.g\. --jobs 2/],
      [['--boot-timeout-s', '0'], /--boot-timeout-s must be at least 1 \(seconds\), got "0"/, /fix: pass e\.g\. --boot-timeout-s 600/],
      [['--boot-timeout-s', '99999999'], /--boot-timeout-s must be at most 86400 \(seconds: a day\), got "99999999"/, /fix: pass --boot-timeout-s 86400 or less/],
      [['--shard', '3/2'], /--shard must be I\/N with 1 <= I <= N, got "3\/2"/, /fix: pass e\.g\. --shard 1\/3/],
      [['--accel', 'hvf'], /--accel must be auto, tcg or kvm, got "hvf"/, /fix: pass --accel auto/],
      [['--tcg-thread', 'double'], /--tcg-thread must be multi or single, got "double"/, /fix: pass --tcg-thread multi \(the default\) or single/],
      [['--debug-rerun', 'maybe'], /--debug-rerun must be on or off, got "maybe"/, /fix: pass --debug-rerun on \(the default\) or off/],
      [['--login', 'root'], /--login must be USER:PASSWORD, got "root"/, /fix: pass e\.g\. --login root:linux/],
      [['--login', 'root:li\nnux'], /--login must not hold control characters, got "root:li\\nnux"/, /fix: pass the user and password as typed/],
      [['--known-issues', '/nonexistent/known.json'], /known-issues file \/nonexistent\/known\.json cannot be read as JSON: ENOENT/, /fix: fix the file or pass another with --known-issues/],
      [['--known-issues', join(root, 'package.json')], /known-issues file .*package\.json must hold a JSON array/, /fix: write \[/],
      [['--known-issues', ''], /--known-issues must name a known-issues JSON file, got ""/, /fix: pass the path of a known-issues JSON file/],
      [['--tls-ca', 'ca.crt'], /--tls-ca must be CERT,KEY \(two paths, a comma between\), got "ca\.crt"/, /fix: pass the PEM certificate and private key of a CA the ISO trusts/],
      [['--tls-ca', '/nonexistent/ca.crt,/nonexistent/ca.key'], /\/nonexistent\/ca\.crt is not a readable PEM certificate/, /fix: pass the PEM certificate and private key of a CA the ISO trusts, as CERT,KEY/],
      [['--tls-ca', `${join(root, 'package.json')},${join(root, 'package.json')}`], /package\.json is not a readable PEM certificate/, /fix: pass the PEM certificate and private key/],
    ])('refuses %j with exit 2 at once', async (args, message, fix) => {
      const out = join(dir, `out-options-${++cases}`);
      // An ISO without a kernel: even a run that let the option through could not boot.
      const result = await quickRun(['--scenario', 'ram-deploy-http', '--iso', loaderless, '--out', out, ...args]);
      expect(result.timedOut).toBe(false);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(fix);
      expect(result.durationMs).toBeLessThan(BEFORE_THE_PROBE_MS);
      expect(result.stderr).not.toMatch(/KVM not usable|KVM does not work|\[fixture/);
      expect(existsSync(out)).toBe(false);
      expect(result.leftBehind).toEqual({ processes: [], tempDirs: [] });
    }, 30_000);

    it('refuses --iso "" and an ISO cut short before the KVM probe', async () => {
      const empty = await quickRun(['--scenario', 'ram-deploy-http', '--iso', '', '--out', join(dir, 'out-options')]);
      expect(empty.exitCode).toBe(2);
      expect(empty.stderr).toContain('--iso must name a live ISO file, got ""');
      expect(empty.durationMs).toBeLessThan(BEFORE_THE_PROBE_MS);
      const cut = join(dir, 'cut-early.iso');
      await execa('xorriso', ['-as', 'mkisofs', '-V', 'CUT', '-o', cut, join(root, 'images', 'fixture', 'root')]);
      await truncate(cut, Math.floor((await stat(cut)).size * 0.6));
      const truncated = await quickRun(['--scenario', 'ram-deploy-http', '--iso', cut, '--out', join(dir, 'out-options')]);
      expect(truncated.exitCode).toBe(2);
      expect(truncated.stderr).toContain(`ISO ${cut} is truncated`);
      expect(truncated.durationMs).toBeLessThan(BEFORE_THE_PROBE_MS);
      expect(truncated.stderr).not.toMatch(/KVM not usable|KVM does not work|\[fixture/);
      expect(truncated.leftBehind).toEqual({ processes: [], tempDirs: [] });
    }, 30_000);
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

describe('output folder and run options of runScenarios', () => {
  /** Settles within 3 s, or fails: mkdir({ recursive: true }) never settled on /proc paths. */
  const soon = <T>(promise: Promise<T>) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('did not settle within 3 s')), 3_000))]);
  const inputErrorOf = async (promise: Promise<unknown>) => {
    const error = await soon(promise).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).kind).toBe('input');
    return error as HarnessError;
  };

  it('refuses a folder under /proc at once (recursive mkdir spun there forever)', async () => {
    expect((await inputErrorOf(ensureOutputFolder('/proc/nope/deeper'))).message).toContain('/proc takes no new folders');
    expect((await inputErrorOf(checkOutputFolder('/proc/nope'))).context.fix).toMatch(/--out/);
  });

  it('makes the missing parts of a good folder, and only checks without making anything', async () => {
    const target = join(dir, 'made', 'a', 'b');
    expect(await checkOutputFolder(target)).toEqual({ path: target, missing: ['made', 'a', 'b'] });
    expect(existsSync(join(dir, 'made'))).toBe(false);
    expect(await soon(ensureOutputFolder(target))).toBe(target);
    expect((await stat(target)).isDirectory()).toBe(true);
    expect(await soon(ensureOutputFolder(target))).toBe(target);
    // The write probe leaves nothing behind.
    expect(await readdir(join(dir, 'made', 'a'))).toEqual(['b']);
  });

  it('validateRunOptions refuses what the machine would refuse at start, naming the option', () => {
    const host = { cores: 2, totalMemoryBytes: 4 * 2 ** 30 };
    expect(() => validateRunOptions({ memoryMb: 10 }, host)).toThrow('memoryMb must be at least 256 (MiB of guest memory), got 10');
    expect(() => validateRunOptions({ memoryMb: 8192 }, host)).toThrow('memoryMb must be at most 4096 (MiB of guest memory: this host has 4096 MiB), got 8192');
    expect(() => validateRunOptions({ cpus: 3 }, host)).toThrow('cpus must be at most 2');
    expect(() => validateRunOptions({ cpus: 1.5 }, host)).toThrow('cpus must be a whole number');
    expect(() => validateRunOptions({ jobs: 0 }, host)).toThrow('jobs must be at least 1');
    expect(() => validateRunOptions({ bootTimeoutMs: 0 }, host)).toThrow('bootTimeoutMs must be at least 1000');
    expect(() => validateRunOptions({ accel: 'hvf' as 'tcg' }, host)).toThrow('accel must be tcg or kvm, got "hvf"');
    expect(() => validateRunOptions({ retries: -1 }, host)).toThrow('retries must be at least 0');
    expect(() => validateRunOptions({ maxFailures: 1.5 }, host)).toThrow('maxFailures must be a whole number');
    expect(() => validateRunOptions({ retries: 0, maxFailures: 0 }, host)).not.toThrow();
    expect(() => validateRunOptions({ memoryMb: 3072, cpus: 2, jobs: 4, bootTimeoutMs: 600_000, accel: 'kvm' }, host)).not.toThrow();
    expect(hostCapacity().cores).toBe(availableParallelism());
  });

  it('runScenarios refuses --memory-mb 10 as bad input before anything starts, not as a retried ERROR of each boot', async () => {
    const scenario = SCENARIOS.find((s) => s.name === 'ram-deploy-http')!;
    // An ISO without a kernel: nothing could boot even if the memory got through.
    const error = await inputErrorOf(runScenarios({ isoPath: loaderless, scenarios: [scenario], outDir: join(dir, 'out-api'), memoryMb: 10 }));
    expect(error.message).toBe('memoryMb must be at least 256 (MiB of guest memory), got 10');
    expect(existsSync(join(dir, 'out-api'))).toBe(false);
  });
});
