import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'junit2json';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { combineObservers } from '../../harness/engine/run-observer.js';
import { jsonReporter } from '../../harness/report/json-reporter.js';
import { junitReporter, renderJUnit } from '../../harness/report/junit-reporter.js';
import type { Reporter } from '../../harness/report/reporter.js';
import type { ScenarioDefinition } from '../../harness/scenario/define-scenario.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { sampleResults } from '../helpers/sample-results.js';

/** A disk fault to inject: at the temp file's open (EROFS, EACCES) or at its write (ENOSPC). */
const fault = vi.hoisted(() => ({ now: undefined as undefined | { at: 'open' | 'write'; code: string; text: string } }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const failure = (syscall: string) => Object.assign(new Error(`${fault.now!.code}: ${fault.now!.text}, ${syscall}`), { code: fault.now!.code, syscall });
  const open: typeof real.open = async (...args) => {
    if (fault.now?.at === 'open') throw failure(`open '${String(args[0])}'`);
    const handle = await real.open(...args);
    if (fault.now?.at === 'write') handle.writeFile = () => Promise.reject(failure('write'));
    return handle;
  };
  return { ...real, open, default: { ...real, open } };
});

const LIVE_MODULE = { id: 'kiwi-live', evidence: 'usr/lib/dracut/modules.d/90kiwi-live' };
let dir: string;
let results: ScenarioResult[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-report-files-'));
  const [pass, fail] = sampleResults(dir);
  results = [pass!, fail!, { ...pass!, name: 'ram-deploy-ftp', artifactsDir: join(dir, 'ram-deploy-ftp') }];
});
afterEach(async () => {
  fault.now = undefined;
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** A run's start as the runner tells it: the target, then the plan. */
function start(reporter: Reporter): void {
  reporter.onRunInfo?.({ iso: '/x.iso', liveModule: LIVE_MODULE });
  reporter.onRunStart?.(results.map((r) => ({ name: r.name }) as ScenarioDefinition));
}
const readJson = async () => JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
/** The report files and nothing else: no temp file left behind. */
const filesIn = async () => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name).sort();
/** As JSON.stringify leaves them (undefined fields dropped). */
/** A result as results.json holds it: JSON, its folders relative to the output folder. */
const asWritten = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'artifactsDir' && typeof v === 'string' ? relative(dir, v) || '.' : v))) as T;

describe('results.json is rewritten as each scenario ends', () => {
  it('after scenario 1 of 3 it holds scenario 1 and says it is partial; at the end it is complete and today\'s file', async () => {
    const reporter = jsonReporter(dir, { iso: '/x.iso' });
    start(reporter);
    await reporter.onScenarioEnd?.(results[0]!);
    const partial = await readJson();
    expect(partial).toMatchObject({ schemaVersion: 1, iso: '/x.iso', liveModule: LIVE_MODULE, complete: false, notRun: ['persistent-lifecycle', 'ram-deploy-ftp'] });
    expect(partial.counts).toEqual({ PASS: 1, FAIL: 0, ERROR: 0, XFAIL: 0, XPASS: 0, SKIP: 0 });
    // Folders relative to the output folder: a shard's folder can move (merge, CI artifacts).
    expect((partial.results as ScenarioResult[])[0]!.artifactsDir).toBe('ram-deploy-http');
    expect(Date.parse(String(partial.startedAt))).not.toBeNaN();
    expect(partial.results).toEqual(asWritten([results[0]]));
    expect(partial.finishedAt).toBeUndefined();
    expect(Date.parse(String(partial.writtenAt))).not.toBeNaN();
    expect(await filesIn()).toEqual(['results.json']);

    // Out of the plan's order (two jobs at a time): the file keeps the plan's order.
    await reporter.onScenarioEnd?.(results[2]!);
    expect(((await readJson()).results as ScenarioResult[]).map((r) => r.name)).toEqual(['ram-deploy-http', 'ram-deploy-ftp']);
    expect((await readJson()).notRun).toEqual(['persistent-lifecycle']);
    await reporter.onScenarioEnd?.(results[1]!);
    expect(await readJson()).toMatchObject({ complete: false, notRun: [] });

    await reporter.onRunEnd?.(results);
    const { complete, ...today } = await readJson();
    expect(complete).toBe(true);
    // The fields and order the file had before it was written part-way, plus `complete`.
    expect(Object.keys(await readJson())).toEqual(['schemaVersion', 'iso', 'liveModule', 'startedAt', 'finishedAt', 'complete', 'counts', 'results']);
    expect(today).toEqual(asWritten({ schemaVersion: 1, iso: '/x.iso', liveModule: LIVE_MODULE, startedAt: today.startedAt, finishedAt: today.finishedAt, counts: today.counts, results }));
    expect(await filesIn()).toEqual(['results.json']);
  });

  it('a run stopped before some scenarios names them at its end', async () => {
    const reporter = jsonReporter(dir, {});
    start(reporter);
    await reporter.onRunEnd?.(results.slice(0, 1));
    expect(await readJson()).toMatchObject({ complete: true, notRun: ['persistent-lifecycle', 'ram-deploy-ftp'] });
  });
});

type Parsed = { tests?: number; failures?: number; testsuite?: { tests?: number; failures?: number; properties?: { name: string; value: unknown }[]; testcase?: { name?: string; classname?: string }[] }[] };

describe('junit.xml is rewritten as each scenario ends', () => {
  it('after scenario 1 of 3: one testcase, counts of the testcases present, complete=false and the scenarios not run', async () => {
    const reporter = junitReporter(dir);
    start(reporter);
    await reporter.onScenarioEnd?.(results[0]!);
    const parsed = (await parse(await readFile(join(dir, 'junit.xml'), 'utf8'))) as Parsed;
    expect([parsed.tests, parsed.testsuite![0]!.tests, parsed.failures]).toEqual([1, 1, 0]);
    expect(parsed.testsuite![0]!.testcase!.map((c) => c.classname)).toEqual(['ram-deploy-http']);
    expect(parsed.testsuite![0]!.properties!.map((p) => ({ name: p.name, value: String(p.value) }))).toEqual([
      { name: 'live-module', value: LIVE_MODULE.id },
      { name: 'live-module-evidence', value: LIVE_MODULE.evidence },
      { name: 'complete', value: 'false' },
      { name: 'not-run', value: 'persistent-lifecycle' },
      { name: 'not-run', value: 'ram-deploy-ftp' },
    ]);
    await reporter.onScenarioEnd?.(results[1]!);
    const second = (await parse(await readFile(join(dir, 'junit.xml'), 'utf8'))) as Parsed;
    // A testcase per boot: persistent-lifecycle's two.
    expect([second.tests, second.failures]).toEqual([3, 1]);
    expect(await filesIn()).toEqual(['junit.xml']);
  });

  it("at the end it is today's file: every testcase, no mark of a partial file", async () => {
    const reporter = junitReporter(dir);
    start(reporter);
    for (const result of results) await reporter.onScenarioEnd?.(result);
    await reporter.onRunEnd?.(results);
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    // The file as renderJUnit gives it for these results, with the run's start and wall time.
    const timed = /time="([\d.]+)" timestamp="([^"]+)"/.exec(xml)!;
    expect(xml).toBe(renderJUnit(results, dir, LIVE_MODULE, { complete: true, startedAtMs: Date.parse(timed[2]!), wallMs: Number(timed[1]) * 1000 }));
    expect(xml).not.toMatch(/name="(complete|not-run)"/);
    expect(await filesIn()).toEqual(['junit.xml']);
  });
});

describe('a report that cannot be written', () => {
  const CASES = [
    { at: 'write', code: 'ENOSPC', text: 'no space left on device' },
    { at: 'open', code: 'EROFS', text: 'read-only file system' },
    { at: 'open', code: 'EACCES', text: 'permission denied' },
  ] as const;

  for (const injected of CASES) {
    it(`${injected.code}: names the file, the folder and the cause; the earlier verdicts stay, whole; no temp file`, async () => {
      const json = jsonReporter(dir, {});
      const junit = junitReporter(dir);
      for (const r of [json, junit]) start(r);
      await json.onScenarioEnd?.(results[0]!);
      await junit.onScenarioEnd?.(results[0]!);
      const before = [await readFile(join(dir, 'results.json'), 'utf8'), await readFile(join(dir, 'junit.xml'), 'utf8')];
      fault.now = injected;
      const cause = `${injected.code}: ${injected.text}`;
      await expect(json.onScenarioEnd?.(results[1]!)).rejects.toThrow(`results.json could not be written in ${dir} (${cause})`);
      await expect(junit.onScenarioEnd?.(results[1]!)).rejects.toThrow(`junit.xml could not be written in ${dir} (${cause})`);
      expect([await readFile(join(dir, 'results.json'), 'utf8'), await readFile(join(dir, 'junit.xml'), 'utf8')]).toEqual(before);
      expect(await filesIn()).toEqual(['junit.xml', 'results.json']);
      // The disk is back: the run's end writes every verdict.
      fault.now = undefined;
      await json.onRunEnd?.(results);
      expect(((await readJson()).results as unknown[]).length).toBe(3);
    });
  }

  it('a missing folder: ENOENT, named', async () => {
    const missing = join(dir, 'gone');
    await expect(jsonReporter(missing, {}).onScenarioEnd?.(results[0]!)).rejects.toThrow(`results.json could not be written in ${missing} (ENOENT: no such file or directory)`);
    await expect(junitReporter(missing).onRunEnd?.(results)).rejects.toThrow(`junit.xml could not be written in ${missing} (ENOENT: no such file or directory)`);
  });

  it('through the multiplexer: stderr names the reporter and the file, the other reporter still writes', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const missing = join(dir, 'gone');
    const combined = combineObservers([jsonReporter(missing, {}), junitReporter(dir)]);
    combined.onScenarioEnd?.(results[0]!);
    await vi.waitFor(async () => expect(await filesIn()).toEqual(['junit.xml']));
    await combined.onRunEnd?.(results);
    expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([
      `pxe-harness: reporter json failed in onScenarioEnd: results.json could not be written in ${missing} (ENOENT: no such file or directory); the run goes on\n`,
      `pxe-harness: reporter json failed in onRunEnd: results.json could not be written in ${missing} (ENOENT: no such file or directory); the run goes on\n`,
    ]);
    expect(await readFile(join(dir, 'junit.xml'), 'utf8')).toBe(renderJUnit(results, dir));
  });
});
