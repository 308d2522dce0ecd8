import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runScenarios } from '../../harness/engine/run-all.js';
import type { RunObserver } from '../../harness/engine/run-observer.js';
import { jsonReporter } from '../../harness/report/json-reporter.js';
import { defineScenario } from '../../harness/scenario/index.js';
import { tinyLiveIso } from '../helpers/cpio.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// A reporter plugged into a real run (runScenarios, as the package's API offers it: the CLI has
// no option for one) that throws, or rejects, in every hook: the run goes on to its end, every
// scenario gets its verdict, the other reporters see every event and write their files. The
// scenarios do not apply to the tiny ISO made here (SKIP), so nothing boots.
let dir: string;
let iso: string;
let before: Leftovers;

beforeAll(async () => {
  before = await leftovers();
  dir = await mkdtemp(join(tmpdir(), 'pxe-throwing-reporter-test-'));
  iso = await tinyLiveIso(dir, 'tiny', { volumeId: 'TINY' });
});
afterAll(async () => {
  expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const HOOKS = ['onRunInfo', 'onRunStart', 'onScenarioStart', 'onBootStart', 'onPhase', 'onTransferProgress', 'onBootEnd', 'onScenarioEnd', 'onRunEnd'] as const;

/** A scenario that does not apply to any ISO: its verdict comes at once. */
const notHere = (name: string) =>
  defineScenario({ name, summary: 's', publish: { protocol: 'http' }, appliesTo: () => 'a stand-in that boots nothing', boots: [{ name: 'b', from: 'network', checks: [] }] });

/** A reporter whose every hook fails: by throwing, or by returning a rejected promise. */
function broken(how: 'throws' | 'rejects'): RunObserver {
  const observer: RunObserver = { name: `broken-${how}` };
  for (const hook of HOOKS) {
    (observer as Record<string, unknown>)[hook] = how === 'throws'
      ? () => {
          throw new Error(`boom in ${hook}`);
        }
      : () => Promise.reject(new Error(`boom in ${hook}`));
  }
  return observer;
}

describe('a reporter that fails in a real run', () => {
  for (const how of ['throws', 'rejects'] as const) {
    it(`one that ${how} in every hook: the run ends with every verdict, the json reporter writes results.json whole, stderr names the broken one`, async () => {
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const outDir = join(dir, `out-${how}`);
      const seen: string[] = [];
      const watcher: RunObserver = { name: 'watcher', onScenarioEnd: (r) => void seen.push(`${r.name}: ${r.verdict}`), onRunEnd: () => void seen.push('run end') };
      const scenarios = [notHere('first'), notHere('second')];
      const results = await runScenarios({ isoPath: iso, scenarios, outDir, accel: 'tcg', reporters: [broken(how), jsonReporter(outDir, {}), watcher] });
      expect(results.map((r) => [r.name, r.verdict])).toEqual([['first', 'SKIP'], ['second', 'SKIP']]);
      expect(seen).toEqual(['first: SKIP', 'second: SKIP', 'run end']);
      const written = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as { complete: boolean; results: { name: string }[] };
      expect([written.complete, written.results.map((r) => r.name)]).toEqual([true, ['first', 'second']]);
      // Rejections of the event hooks settle after the hook returned: let them arrive.
      await new Promise((resolve) => setImmediate(resolve));
      const lines = stderr.mock.calls.map(([text]) => String(text));
      for (const hook of ['onRunInfo', 'onRunStart', 'onScenarioStart', 'onScenarioEnd', 'onRunEnd']) {
        expect(lines).toContain(`pxe-harness: reporter broken-${how} failed in ${hook}: boom in ${hook}; the run goes on\n`);
      }
    });
  }
});
