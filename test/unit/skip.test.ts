import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { junitReporter } from '../../harness/report/junit-reporter.js';
import { runScenarios } from '../../harness/engine/run-all.js';
import { defineScenario } from '../../harness/scenario/index.js';
import dollyDeploy from '../../scenarios/dolly-deploy.js';
import ramDeployHttpsVerified from '../../scenarios/ram-deploy-https-verified.js';
import { tinyLiveIso } from '../helpers/cpio.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// A scenario that does not apply is SKIPPED with its reason, before anything starts.
let dir: string;
let iso: string;
let before: Leftovers;

beforeAll(async () => {
  before = await leftovers();
  dir = await mkdtemp(join(tmpdir(), 'pxe-skip-test-'));
  // No partition table at all: certainly no EFI system partition.
  iso = await tinyLiveIso(dir, 'bios-only');
});
afterAll(async () => {
  expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  await rm(dir, { recursive: true, force: true });
});

const diskBoot = defineScenario({
  name: 'deploy-then-disk',
  summary: 's',
  publish: { protocol: 'http' },
  disks: [{ name: 'system', size: '1G', format: 'raw', interface: 'ide' }],
  boots: [{ name: 'deploy', from: 'network', checks: [] }, { name: 'from the disk', from: 'disk', checks: [] }],
});
const ownRule = defineScenario({
  name: 'own-rule',
  summary: 's',
  publish: { protocol: 'http' },
  appliesTo: ({ iso: target }) => (target.volumeId === 'CDROM' ? 'this scenario is for ISOs labelled otherwise' : undefined),
  boots: [{ name: 'b', from: 'network', checks: [] }],
});

describe('SKIP', () => {
  it('a scenario over a protocol the project cannot publish (dolly) skips with the reason, saying whether the initrd has the client', async () => {
    const outDir = join(dir, 'out-dolly');
    const results = await runScenarios({ isoPath: iso, scenarios: [dollyDeploy], outDir, accel: 'tcg' });
    expect(results.map((r) => [r.name, r.verdict, r.boots.length])).toEqual([['dolly-deploy', 'SKIP', 0]]);
    expect(results[0]!.reason).toMatch(/^does not apply: it publishes the ISO over dolly, and dolly .* packaged by neither Debian nor npm.*; nor does this ISO's initrd carry a dolly client$/);
  });

  it('a disk boot under UEFI on an ISO without an EFI system partition, and a scenario\'s own rule, skip with their reasons; JUnit says skipped', async () => {
    const outDir = join(dir, 'out');
    const results = await runScenarios({ isoPath: iso, scenarios: [diskBoot, ownRule], outDir, firmware: 'uefi', accel: 'tcg', reporters: [junitReporter(outDir)] });
    expect(results.map((r) => [r.name, r.verdict, r.boots.length])).toEqual([['deploy-then-disk', 'SKIP', 0], ['own-rule', 'SKIP', 0]]);
    expect(results[0]!.reason).toMatch(/^does not apply: it boots a deployed disk under UEFI, and the ISO's partition table \(none\) has no EFI system partition/);
    expect(results[1]!.reason).toBe('does not apply: this scenario is for ISOs labelled otherwise');
    const junit = (await parse(await readFile(join(outDir, 'junit.xml'), 'utf8'))) as { skipped?: number; testsuite?: { testcase?: { skipped?: { message?: string }[] }[] }[] };
    expect(junit.testsuite![0]!.testcase!.map((c) => c.skipped?.[0]?.message)).toEqual([results[0]!.reason, results[1]!.reason]);
  });

  it('a scenario that asks for a trusted certificate skips without a CA for the run, naming the option', async () => {
    const results = await runScenarios({ isoPath: iso, scenarios: [ramDeployHttpsVerified], outDir: join(dir, 'out-ca'), accel: 'tcg' });
    expect(results.map((r) => [r.name, r.verdict, r.boots.length])).toEqual([['ram-deploy-https-verified', 'SKIP', 0]]);
    expect(results[0]!.reason).toBe('does not apply: it publishes the ISO over https with a certificate of a CA the ISO trusts, and the run was given none (--tls-ca CERT,KEY)');
  });

});
