import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { fixtureIsoPath } from '../../harness/iso/fixture-iso.js';
import { leftovers, type Leftovers } from './leftovers.js';

/** The package's root: where dist/cli/main.js is built. */
export const root = join(import.meta.dirname, '..', '..');

/** A stack trace on stderr: an exception nobody handled. */
export const STACK_LINE = /^\s+at .+[:(]/m;

/** What a test of CLI runs works in: the fixture ISO, a folder of its own, the runs' TMPDIR in it, and what was there before. */
export interface CliSandbox {
  iso: string;
  dir: string;
  /** The runs' TMPDIR: their temp dirs, and nobody else's. */
  tempRoot: string;
  before: Leftovers;
}

/** Builds dist and finds (or builds) the fixture ISO once, so that no run of the test builds either. */
export async function prepareCliSandbox(prefix: string): Promise<CliSandbox> {
  const iso = await fixtureIsoPath({ progress: false });
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const tempRoot = join(dir, 'tmp');
  await mkdir(tempRoot);
  return { iso, dir, tempRoot, before: await leftovers(tempRoot) };
}

/**
 * The CLI's `run` in a child process, its output collected, never rejecting. Its temp dirs go
 * into `tempRoot` (its TMPDIR), a folder of the test's own: what is left there is this run's,
 * whatever other harness processes on the machine do in /tmp meanwhile.
 */
export function startRun(args: readonly string[], tempRoot: string): ResultPromise<{ cwd: string; reject: false; env: { TMPDIR: string } }> {
  return execa('node', [join(root, 'dist/cli/main.js'), 'run', ...args], { cwd: root, reject: false, env: { TMPDIR: tempRoot } });
}

/** Resolves once `condition` holds (polled every 100 ms); rejects with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not come within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** waitFor with a condition that has to read something first, polled every `pollMs`. */
export async function waitForAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come within ${timeoutMs / 1000} s`);
    await sleep(pollMs);
  }
}

/** The scenario names of a results.json, with their verdicts; [] while there is none. */
export function verdictsIn(outDir: string): [string, string][] {
  const file = join(outDir, 'results.json');
  if (!existsSync(file)) return [];
  const { results } = JSON.parse(readFileSync(file, 'utf8')) as { results: { name: string; verdict: string }[] };
  return results.map((r) => [r.name, r.verdict]);
}

/** Every boot folder's serial.log under a run's folder has a line matching `pattern`, for a scenario. */
export function serialLogHas(outDir: string, scenario: string, pattern: RegExp): boolean {
  const dir = join(outDir, scenario);
  if (!existsSync(dir)) return false;
  return readdirSync(dir).some((boot) => {
    const log = join(dir, boot, 'serial.log');
    return existsSync(log) && pattern.test(readFileSync(log, 'utf8'));
  });
}

/** The run's temp folder of each boot of a scenario (where its sockets are), as its qemu-command.sh names them. */
async function bootTempFolders(outDir: string, scenario: string): Promise<string[]> {
  const dir = join(outDir, scenario);
  const folders: string[] = [];
  for (const boot of await readdir(dir).catch(() => [] as string[])) {
    const script = await readFile(join(dir, boot, 'qemu-command.sh'), 'utf8').catch(() => '');
    const socket = /path=([^,\s']+)\/serial\.sock/.exec(script)?.[1];
    if (socket) folders.push(socket);
  }
  return folders;
}

/**
 * The pid of the QEMU that boots a scenario of the run in `outDir`: QEMU's command line names
 * the run's temp folder (its serial socket), which the boot folder's qemu-command.sh records.
 */
export async function qemuPidOf(outDir: string, scenario: string): Promise<number | undefined> {
  const folders = await bootTempFolders(outDir, scenario);
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (cmdline[0]?.endsWith('qemu-system-x86_64') && folders.some((f) => cmdline.some((arg) => arg.includes(`${f}/serial.sock`)))) return Number(entry);
  }
  return undefined;
}

/**
 * Whether the guest of a scenario's boot has a connection open to a publisher: each guest
 * connection runs a relay, which lists its pid in the boot's relays folder while it lives.
 */
export async function guestConnected(outDir: string, scenario: string): Promise<boolean> {
  for (const folder of await bootTempFolders(outDir, scenario)) {
    if ((await readdir(join(folder, 'relays')).catch(() => [] as string[])).some((name) => /^\d+$/.test(name))) return true;
  }
  return false;
}

/**
 * Whether process `pid` has a handler of its own for SIGHUP (/proc's SigCgt): the CLI's `run`
 * listens for SIGINT, SIGTERM and SIGHUP at once, and Node handles no SIGHUP by itself, so this
 * tells whether the CLI is listening yet. (Node catches SIGINT and SIGTERM itself from its start,
 * to reset the terminal before it dies of them: their bits say nothing of the CLI.)
 */
export async function listensForSignals(pid: number | undefined): Promise<boolean> {
  const status = pid === undefined ? '' : await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return caught !== undefined && (BigInt(`0x${caught}`) & 1n) === 1n;
}
