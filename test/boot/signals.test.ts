import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../cli/exit-code.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { listensForSignals, prepareCliSandbox, serialLogHas, STACK_LINE, startRun, verdictsIn, waitFor } from '../helpers/cli-run.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Signals to a real run: SIGHUP after its terminal closed, and SIGINT, SIGTERM and SIGHUP at 18
// random moments of its life. After each: exit 130, nothing left behind (QEMU, relays, temp dirs),
// the verdicts so far kept. Cost here (2 cores, TCG): the SIGHUP test about 15 s, the 18 moments
// about 3-4 minutes (each run lasts as long as its moment plus its cleanup; 15 of the 18 moments
// fall in the first 20 s).
let iso: string;
let dir: string;
let before: Leftovers;
/** The runs' TMPDIR: their temp dirs, and nobody else's. */
let tempRoot: string;

beforeAll(async () => {
  ({ iso, dir, tempRoot, before } = await prepareCliSandbox('pxe-signals-test-'));
});
removeOnSuccess(() => dir, 'the signal tests\' runs');


describe('SIGHUP (the terminal or ssh session closes)', () => {
  it('while QEMU boots the second scenario, its output already gone: exit 130, nothing left behind, the first verdict kept', async () => {
    const out = join(dir, 'sighup');
    const run = startRun(['--accel', 'tcg', '--iso', iso, '--jobs', '1', '--scenario', 'netboot-kernel-missing', '--scenario', 'ram-deploy-http', '--out', out], tempRoot);
    await waitFor(() => serialLogHas(out, 'ram-deploy-http', /PXELINUX/), 180_000, 'the second scenario\'s boot');
    expect((await newLeftovers(before, tempRoot)).processes.some((p) => p.includes('qemu-system-x86_64')), 'QEMU runs before the signal').toBe(true);
    // The terminal goes as it does: its reader first (every write now fails), then the kernel's SIGHUP.
    run.stdout!.destroy();
    run.stderr!.destroy();
    run.kill('SIGHUP');
    const result = await run;
    expect(result.exitCode, `stopped in order (exit 130), not ended by the signal (${result.signal}) or a write error`).toBe(130);
    expect(await newLeftovers(before, tempRoot)).toEqual({ processes: [], tempDirs: [] });
    expect(verdictsIn(out)).toEqual([['netboot-kernel-missing', 'PASS'], ['ram-deploy-http', 'ERROR']]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { results: { reason: string }[] };
    expect(results.results[1]!.reason).toMatch(/^boot 1 \(network boot into RAM\): the run was stopped before this boot ended \(SIGHUP to the harness\)/);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(/<testcase classname="netboot-kernel-missing" name="1\. [^"]+" time="[\d.]+" timestamp="[^"]+">\n\s*<system-out>/);
  });
});

/** The seed of the moments: PXE_FAULT_SEED=N repeats a run's moments (the seed is in the test names). */
const SEED = Number(process.env.PXE_FAULT_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * Stretches of a run of ram-deploy-http here (TCG, 2 cores), each with how many moments fall in
 * it: Node loading the harness, the arguments and the ISO checked (the first half second); the
 * loader files taken out of the ISO, the publisher and QEMU starting (to 5 s); firmware, pxelinux
 * and the kernel (to 20 s); the initrd up to the ISO's fetch, which begins at about 41 s (to 55 s).
 */
const STRETCHES: readonly { count: number; fromMs: number; toMs: number }[] = [
  { count: 6, fromMs: 0, toMs: 500 },
  { count: 5, fromMs: 500, toMs: 5_000 },
  { count: 4, fromMs: 5_000, toMs: 20_000 },
  { count: 3, fromMs: 20_000, toMs: 55_000 },
];
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The 18 moments, stretch by stretch, each with its signal (every signal at least 6 times, in a seeded order). */
function drawMoments(seed: number): { atMs: number; signal: (typeof SIGNALS)[number] }[] {
  const random = seeded(seed);
  const times = STRETCHES.flatMap((s) => Array.from({ length: s.count }, () => Math.round(s.fromMs + random() * (s.toMs - s.fromMs))));
  const signals = times.map((_, i) => SIGNALS[i % SIGNALS.length]!);
  for (let i = signals.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [signals[i], signals[j]] = [signals[j]!, signals[i]!];
  }
  return times.map((atMs, i) => ({ atMs, signal: signals[i]! }));
}

describe(`a signal at 18 random moments of a run (seed ${SEED}: PXE_FAULT_SEED=${SEED} repeats them)`, () => {
  it.each(drawMoments(SEED))('$signal at $atMs ms', async ({ atMs, signal }) => {
    const out = join(dir, `${signal}-at-${atMs}ms`);
    const run = startRun(['--accel', 'tcg', '--iso', iso, '--scenario', 'ram-deploy-http', '--out', out], tempRoot);
    await sleep(atMs);
    const listening = await listensForSignals(run.pid);
    run.kill(signal);
    const result = await run;
    const at = `${signal} at ${atMs} ms (seed ${SEED})`;
    const finished = /\d+ passed, \d+ failed/.test(result.stdout);
    if (result.signal === signal) {
      // Only before the CLI listens (Node still loading it) may the signal end it by itself; it
      // has started nothing then, and said nothing.
      expect(listening, `${at}: ended by the signal although the CLI was listening for it`).toBe(false);
      expect(result.stdout, `${at}: ended by the signal after the run had begun`).toBe('');
    } else if (finished && result.exitCode !== 130) {
      const { results } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { results: ScenarioResult[] };
      expect(result.exitCode, `${at}: the run had finished before the signal came, so its own exit code`).toBe(exitCodeFor(results));
    } else {
      expect(result.exitCode, `${at}: stopped in order (exit 130); stderr: ${result.stderr}`).toBe(130);
      expect(result.stderr).toContain(`${signal}: stopping the boot and cleaning up`);
    }
    expect(result.stderr, `${at}: no exception left unhandled`).not.toMatch(STACK_LINE);
    expect(await newLeftovers(before, tempRoot), `${at}: nothing left behind`).toEqual({ processes: [], tempDirs: [] });
    // A report file is written whole or not at all, whenever the signal comes.
    const resultsFile = join(out, 'results.json');
    if (existsSync(resultsFile)) expect(() => JSON.parse(readFileSync(resultsFile, 'utf8')), `${at}: results.json whole`).not.toThrow();
  });
});
