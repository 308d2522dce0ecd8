import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsNotWritten } from '../../cli/reports-written.js';
import { jsonReporter } from '../../harness/report/json-reporter.js';
import { sampleResults } from '../helpers/sample-results.js';

// A run that passed but whose results.json is missing or partial must not exit 0 (run-command.ts).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-reports-written-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('whether the run left its reports whole', () => {
  it('yes once the JSON reporter has written the run\'s end', async () => {
    const out = join(dir, 'whole');
    await mkdir(out);
    const results = sampleResults(out);
    const reporter = jsonReporter(out, { iso: 'x.iso' });
    reporter.onRunStart?.(results.map((r) => ({ name: r.name }) as never));
    await reporter.onRunEnd?.(results);
    expect(await reportsNotWritten(out)).toBeUndefined();
  });

  it('no, naming the file, when it is missing, partial or cut', async () => {
    expect(await reportsNotWritten(join(dir, 'none'))).toMatch(/none\/results\.json is unreadable: ENOENT$/);
    await writeFile(join(dir, 'results.json'), JSON.stringify({ complete: false, results: [] }));
    expect(await reportsNotWritten(dir)).toBe(`${join(dir, 'results.json')} holds a partial run (complete is not true)`);
    await writeFile(join(dir, 'results.json'), '{"complete": tr');
    expect(await reportsNotWritten(dir)).toBe(`${join(dir, 'results.json')} is not whole JSON`);
  });
});
