import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonReporter } from '../../harness/report/json-reporter.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { sampleResults } from '../helpers/sample-results.js';

// merge as a CI job runs it after its shards: the shards' results.json written by the real json
// reporter (as run writes them), then the compiled CLI.
const root = join(import.meta.dirname, '..', '..');
let dir: string;
const ISO_FILE = { name: 'x.iso', sizeBytes: 1000, volumeId: 'CDROM' };

const cli = (...args: string[]) => execa(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { reject: false, cwd: dir, timeout: 30_000 });

/** A shard's output folder: its results.json (written by the json reporter) and the evidence files it points at. */
async function shard(name: string, results: ScenarioResult[], meta: Record<string, unknown> = {}): Promise<string> {
  const out = join(dir, name);
  for (const r of results) for (const b of r.boots) {
    await mkdir(b.artifactsDir, { recursive: true });
    await writeFile(join(b.artifactsDir, 'serial.log'), `[ 1.0] ${r.name}\n`);
  }
  const reporter = jsonReporter(out, { iso: `/ci/${name}/x.iso`, isoFile: ISO_FILE, harness: { version: '0.1.0' }, ...meta });
  reporter.onRunInfo?.({ iso: 'x.iso', liveModule: { id: 'kiwi-live', evidence: 'usr/sbin/kiwi-live-root in the initrd' } });
  reporter.onRunStart?.([]);
  await reporter.onRunEnd?.(results);
  return out;
}

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-merge-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('merge DIR... --out DIR', () => {
  it("joins the shards' results into one results.json, junit.xml and report.html that point at each shard's evidence; exit as the run's", async () => {
    const [pass] = sampleResults(join(dir, 'shard-1'));
    const [, failTwo] = sampleResults(join(dir, 'shard-2'));
    const one = await shard('shard-1', [pass!]);
    const two = await shard('shard-2', [{ ...failTwo!, name: 'persistent-lifecycle' }]);
    const result = await cli('merge', one, two, '--out', 'merged');
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stdout).toBe(`merged 2 result(s) of 2 shard(s) into ${join(dir, 'merged')}: results.json, junit.xml, report.html`);
    const merged = JSON.parse(await readFile(join(dir, 'merged', 'results.json'), 'utf8')) as { complete: boolean; counts: Record<string, number>; mergedFrom: string[]; results: ScenarioResult[] };
    expect(merged.complete).toBe(true);
    expect(merged.counts).toMatchObject({ PASS: 1, FAIL: 1 });
    expect(merged.mergedFrom).toEqual([one, two]);
    // Each result's folder, relative to the merged folder, is the shard's own.
    expect(merged.results.map((r) => r.boots[0]!.artifactsDir)).toEqual(['../shard-1/ram-deploy-http/boot-1', '../shard-2/persistent-lifecycle/boot-1']);
    const junit = (await parse(await readFile(join(dir, 'merged', 'junit.xml'), 'utf8'))) as { tests?: number; failures?: number };
    // A testcase per boot: ram-deploy-http's one, persistent-lifecycle's a (PASS) and b (FAIL).
    expect([junit.tests, junit.failures]).toEqual([3, 1]);
    expect(await readFile(join(dir, 'merged', 'report.html'), 'utf8')).toContain('../shard-1/ram-deploy-http/boot-1/serial.log');
  });

  it.each([
    ['of different ISOs', { isoFile: { ...ISO_FILE, sizeBytes: 2000 } }, /merge takes the shards of one ISO: .* ran x\.iso \(1000 bytes, volume id CDROM\), .* ran x\.iso \(2000 bytes, volume id CDROM\)/],
    ['of different harness versions', { harness: { version: '0.2.0' } }, /merge takes the shards of one harness version: .* was run by 0\.1\.0, .* by 0\.2\.0/],
  ])('refuses shards %s, exit 2, writing nothing', async (what, meta, message) => {
    const name = what.replaceAll(' ', '-');
    const [pass] = sampleResults(join(dir, `${name}-a`));
    const [, fail] = sampleResults(join(dir, `${name}-b`));
    const a = await shard(`${name}-a`, [pass!]);
    const b = await shard(`${name}-b`, [fail!], meta);
    const result = await cli('merge', a, b, '--out', `${name}-merged`);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^ {2}fix: /m);
  });

  it('refuses a scenario in two shards, and a folder without results.json, naming it', async () => {
    const [pass] = sampleResults(join(dir, 'twice-a'));
    const [again] = sampleResults(join(dir, 'twice-b'));
    const a = await shard('twice-a', [pass!]);
    const b = await shard('twice-b', [again!]);
    expect((await cli('merge', a, b)).stderr).toContain(`scenario ram-deploy-http is in two shards: ${a} and ${b}`);
    const missing = await cli('merge', a, join(dir, 'nowhere'));
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain(`merge cannot read ${join(dir, 'nowhere', 'results.json')} (ENOENT)`);
  });
});
