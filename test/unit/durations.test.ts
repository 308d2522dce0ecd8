import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { longestFirst, readDurations, recordDurations } from '../../harness/engine/durations.js';
import type { ScenarioJob } from '../../harness/engine/firmware-matrix.js';
import { firmwareById } from '../../harness/firmware/index.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-durations-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const job = (name: string): ScenarioJob => ({ scenario: { name, summary: 's', publish: { protocol: 'http' }, boots: [] }, firmware: firmwareById('bios') });
const result = (name: string, durationMs: number, booted = true) => ({ name, durationMs, boots: booted ? [{}] : [] }) as unknown as ScenarioResult;

describe('longest first, from the durations an earlier run recorded in the output folder', () => {
  it('a new output folder has none: the jobs start in the order they are listed', async () => {
    const jobs = ['a', 'b', 'c'].map(job);
    expect(longestFirst(jobs, 'kiwi-live', await readDurations(join(dir, 'new')))).toEqual([0, 1, 2]);
  });

  it('records what booted (not a SKIP), per live module; the next run starts the longest first and an unknown one before all', async () => {
    const out = join(dir, 'out');
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    await recordDurations(out, 'kiwi-live', [result('short', 10_000), result('long', 300_000), result('skipped', 5, false)]);
    await recordDurations(out, 'dmsquash', [result('short', 900_000)]);
    const durations = await readDurations(out);
    expect(durations).toEqual({ 'kiwi-live/short': 10_000, 'kiwi-live/long': 300_000, 'dmsquash/short': 900_000 });
    const jobs = ['short', 'skipped', 'long', 'new'].map(job);
    // skipped and new have no record: first, in their listed order; then long, then short.
    expect(longestFirst(jobs, 'kiwi-live', durations).map((i) => jobs[i]!.scenario.name)).toEqual(['skipped', 'new', 'long', 'short']);
    expect(longestFirst(['long', 'short'].map(job), 'dmsquash', durations)).toEqual([0, 1]);
  });

  it('a file that is not JSON, or not an object, counts as none', async () => {
    const out = join(dir, 'bad');
    await mkdir(out);
    await writeFile(join(out, 'durations.json'), '{ cut');
    expect(await readDurations(out)).toEqual({});
    await writeFile(join(out, 'durations.json'), '[1]');
    expect(await readDurations(out)).toEqual({});
    await recordDurations(out, 'kiwi-live', [result('x', 1)]);
    expect(JSON.parse(await readFile(join(out, 'durations.json'), 'utf8'))).toEqual({ 'kiwi-live/x': 1 });
  });

  it('an output folder it cannot write to costs the order only: no error, no partial file', async () => {
    await expect(recordDurations(join(dir, 'missing', 'deeper'), 'kiwi-live', [result('x', 1)])).resolves.toBeUndefined();
    const readOnly = join(dir, 'read-only');
    await mkdir(readOnly);
    await writeFile(join(readOnly, 'durations.json'), '{"kiwi-live/x": 5}');
    await chmod(readOnly, 0o500);
    try {
      await recordDurations(readOnly, 'kiwi-live', [result('x', 1)]);
      // As root the folder is still writable: then the record is whole; else it is as it was. Never a part file.
      expect((await readdir(readOnly)).filter((n) => n.includes('.part-'))).toEqual([]);
      expect([1, 5]).toContain((await readDurations(readOnly))['kiwi-live/x']);
    } finally {
      await chmod(readOnly, 0o700);
    }
  });

  it('two records into one folder at once (two runs side by side) keep both', async () => {
    const out = join(dir, 'shared');
    await mkdir(out);
    await Promise.all([recordDurations(out, 'kiwi-live', [result('a', 1)]), recordDurations(out, 'kiwi-live', [result('b', 2)])]);
    expect(await readDurations(out)).toEqual({ 'kiwi-live/a': 1, 'kiwi-live/b': 2 });
    await writeFile(join(out, 'durations.json'), '{"kiwi-live/a": "slow", "kiwi-live/b": 2}');
    expect(await readDurations(out)).toEqual({ 'kiwi-live/b': 2 });
  });
});
