import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProjects } from '../../harness/engine/run-all.js';
import { longestFirstAcross } from '../../harness/engine/durations.js';
import type { RunInfo, RunObserver } from '../../harness/engine/run-observer.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { defineScenario } from '../../harness/scenario/index.js';
import { firmwareById } from '../../harness/firmware/index.js';
import { projectRequests, type ProjectFlags } from '../../cli/run-projects.js';
import { defineConfig, type LoadedConfig, type PxeHarnessProject } from '../../cli/config-file.js';
import dollyDeploy from '../../scenarios/dolly-deploy.js';
import ramDeployHttpsVerified from '../../scenarios/ram-deploy-https-verified.js';
import { isHarnessError } from '../../harness/errors.js';
import { stat } from 'node:fs/promises';
import { tinyLiveIso } from '../helpers/cpio.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Several ISOs in one run: the projects a run is made of (the CLI's side), and one pool over them
// (the engine's). The boots of several projects in one pool are proven in the boot tier
// (test/boot/scenarios.test.ts runs every job there as a project of its own).
let dir: string;
let before: Leftovers;
const root = join(import.meta.dirname, '..', '..');

beforeAll(async () => {
  before = await leftovers();
  dir = await mkdtemp(join(tmpdir(), 'pxe-projects-test-'));
});
afterAll(async () => {
  expect(await newLeftovers(before)).toEqual({ processes: [], tempDirs: [] });
  await rm(dir, { recursive: true, force: true });
});

const base: ProjectFlags & { firmware: string } = { out: 'out', firmware: 'bios' };
const config = (projects: NonNullable<LoadedConfig['projects']>): LoadedConfig => ({ file: '/c/pxe-harness.config.ts', values: {}, projects });

describe('the projects of a run', () => {
  it('one --iso: a single unnamed project that writes into --out itself', () => {
    expect(projectRequests({ ...base, iso: ['/a/x.iso'] }, new Set(['iso']), undefined)).toEqual([{ values: { ...base, iso: ['/a/x.iso'] } }]);
  });

  it('several --iso: one project each, named after its file (a name taken twice gets -2)', () => {
    const projects = projectRequests({ ...base, iso: ['/a/live.iso', '/b/live.iso', '/c/other image.iso'] }, new Set(['iso']), undefined);
    expect(projects.map((p) => [p.name, p.values.iso])).toEqual([['live', ['/a/live.iso']], ['live-2', ['/b/live.iso']], ['other_image', ['/c/other image.iso']]]);
  });

  it('defineConfig refuses projects that are not a list of projects, and a project field it does not know', () => {
    expect(() => defineConfig({ projects: [null as unknown as PxeHarnessProject] })).toThrow('field projects[0] must be a project ({ name, iso, ... }), got null');
    expect(() => defineConfig({ projects: 'x' as unknown as PxeHarnessProject[] })).toThrow('field projects must be a list of projects');
    expect(() => defineConfig({ projects: [{ name: 'a', firmwre: 'uefi' } as unknown as PxeHarnessProject] })).toThrow('field projects[0].firmwre is not a field of a project: did you mean firmware?');
  });

  it('names of ISOs that would meet, or leave --out, are made apart', () => {
    const projects = projectRequests({ ...base, iso: ['/x/a.iso', '/a-2.iso', '/y/a.iso', '/z/..iso', '/z/...iso'] }, new Set(['iso']), undefined);
    expect(projects.map((p) => p.name)).toEqual(['a', 'a-2', 'a-3', 'iso', 'iso-2']);
  });

  it("a project's selection replaces the config's own; one the command line names is narrowed by the project's", () => {
    const loaded = config([{ name: 'f', values: { grep: 'ftp' } }]);
    const fromConfig = projectRequests({ ...base, grep: 'http' }, new Set(), loaded);
    expect([fromConfig[0]!.values.grep, fromConfig[0]!.selection]).toEqual(['ftp', undefined]);
    const narrowed = projectRequests({ ...base, grep: 'http' }, new Set(['grep']), loaded);
    expect([narrowed[0]!.values.grep, narrowed[0]!.selection]).toEqual(['http', { scenarios: undefined, grep: 'ftp' }]);
  });

  it("a config's projects: their fields over the run's, a flag of the command line over theirs, a selection the command line names narrowed by theirs", () => {
    const loaded = config([
      { name: 'efi', values: { iso: ['/c/efi.iso'], firmware: 'uefi', scenario: ['ram-deploy-http', 'aoe-boot'] } },
      { name: 'fixture', values: {} },
    ]);
    const fromConfig = projectRequests(base, new Set(), loaded);
    expect(fromConfig.map((p) => [p.name, p.values.iso, p.values.firmware, p.values.scenario])).toEqual([
      ['efi', ['/c/efi.iso'], 'uefi', ['ram-deploy-http', 'aoe-boot']],
      ['fixture', undefined, 'bios', undefined],
    ]);
    const overridden = projectRequests({ ...base, firmware: 'uefi-secure', scenario: ['ram-deploy-http'] }, new Set(['firmware', 'scenario']), loaded);
    expect(overridden[0]!.values.firmware).toBe('uefi-secure');
    // The command line's selection stays in the values; the project's is kept apart, to intersect.
    expect([overridden[0]!.values.scenario, overridden[0]!.selection?.scenario]).toEqual([['ram-deploy-http'], ['ram-deploy-http', 'aoe-boot']]);
  });

  it('--iso on the command line replaces the projects of the config', () => {
    const loaded = config([{ name: 'efi', values: { iso: ['/c/efi.iso'] } }]);
    expect(projectRequests({ ...base, iso: ['/mine.iso'] }, new Set(['iso']), loaded)).toEqual([{ values: { ...base, iso: ['/mine.iso'] } }]);
  });

  it('--project picks projects by name; a name no project has is refused with the names there are', () => {
    const loaded = config([{ name: 'bios', values: {} }, { name: 'dmsquash', values: {} }]);
    expect(projectRequests({ ...base, project: ['dmsquash'] }, new Set(['project']), loaded).map((p) => p.name)).toEqual(['dmsquash']);
    expect(() => projectRequests({ ...base, project: ['dmsqash'] }, new Set(['project']), loaded)).toThrow(/--project "dmsqash" names no project of this run[\s\S]*/);
    try {
      projectRequests({ ...base, project: ['dmsqash'] }, new Set(['project']), loaded);
    } catch (error) {
      expect((error as { context: { fix: string } }).context.fix).toBe('did you mean dmsquash? choose from: bios, dmsquash');
    }
  });
});

describe('one pool over the jobs of every project', () => {
  const job = (name: string) => ({ scenario: defineScenario({ name, summary: 's', publish: { protocol: 'http' }, boots: [{ name: 'b', from: 'network', checks: [] }] }), firmware: firmwareById('bios') });

  it('longest first across projects, each job by the durations of its own project; unknown first; ties keep projects, then jobs, in order', () => {
    const order = longestFirstAcross([
      { jobs: [job('a'), job('b')], liveModule: 'kiwi-live', durations: { 'kiwi-live/a': 10_000, 'kiwi-live/b': 300_000 } },
      { jobs: [job('a'), job('c'), job('d')], liveModule: 'dmsquash', durations: { 'dmsquash/a': 200_000, 'kiwi-live/c': 999_999, 'dmsquash/d': 10_000 } },
    ]);
    expect(order).toEqual([{ project: 1, index: 1 }, { project: 0, index: 1 }, { project: 1, index: 0 }, { project: 0, index: 0 }, { project: 1, index: 2 }]);
  });

  it('each project reports into its own folder, told its own ISO and only its own results', async () => {
    const isos = [await tinyLiveIso(dir, 'first'), await tinyLiveIso(dir, 'second', { volumeId: 'SECOND' })];
    const seen = isos.map(() => ({ info: [] as RunInfo[], ends: [] as ScenarioResult[][] }));
    const watcher = (i: number): RunObserver => ({ onRunInfo: (info) => void seen[i]!.info.push(info), onRunEnd: (r) => void seen[i]!.ends.push(r) });
    const scenarios = [[dollyDeploy], [ramDeployHttpsVerified, dollyDeploy]];
    const projects = isos.map((isoPath, i) => ({ isoPath, scenarios: scenarios[i]!, outDir: join(dir, 'pool', `p${i}`), accel: 'tcg' as const, reporters: [watcher(i)] }));
    const results = await runProjects(projects, { jobs: 2, maxFailures: 0 });
    expect(results.map((r) => r.map((s) => [s.name, s.verdict]))).toEqual([[['dolly-deploy', 'SKIP']], [['ram-deploy-https-verified', 'SKIP'], ['dolly-deploy', 'SKIP']]]);
    expect(seen.map((s) => [s.info.map((i) => i.iso), s.ends.map((e) => e.map((r) => r.name))])).toEqual([[[isos[0]], [['dolly-deploy']]], [[isos[1]], [['ram-deploy-https-verified', 'dolly-deploy']]]]);
    // A SKIP took no time: nothing recorded, but each project's folder is its own.
    for (const i of [0, 1]) expect(JSON.parse(await readFile(join(dir, 'pool', `p${i}`, 'durations.json'), 'utf8'))).toEqual({});
  });
});

describe('a project that cannot be opened, or has nothing to boot', () => {
  it('an ISO refused after another was accepted: bad input, and no folder or report of the other project is left', async () => {
    const good = await tinyLiveIso(dir, 'good');
    const other = await tinyLiveIso(dir, 'not-x86', { loaderFolders: ['riscv64'] });
    const told: string[] = [];
    const reporters = [{ onRunInfo: () => void told.push('info'), onRunEnd: () => void told.push('end') }];
    const outs = [join(dir, 'refused', 'good'), join(dir, 'refused', 'other')];
    const error = await runProjects([good, other].map((isoPath, i) => ({ isoPath, scenarios: [dollyDeploy], outDir: outs[i]!, accel: 'tcg' as const, reporters })), { jobs: 2, maxFailures: 0 }).then(() => undefined, (e: unknown) => e);
    expect(isHarnessError(error) && [error.kind, error.message]).toEqual(['input', `ISO ${other} has no /boot/x86_64/loader/linux: it is not a KIWI live ISO for x86_64`]);
    expect([told, await stat(outs[0]!).then(() => 'made', () => 'none')]).toEqual([[], 'none']);
  });

  it('a project with no scenario still tells its reporters the run ended (an API caller may pass none)', async () => {
    const ends: number[] = [];
    const results = await runProjects([{ isoPath: await tinyLiveIso(dir, 'empty'), scenarios: [], outDir: join(dir, 'empty-out'), accel: 'tcg', reporters: [{ onRunEnd: (r) => void ends.push(r.length) }] }], { jobs: 1, maxFailures: 0 });
    expect([results, ends]).toEqual([[[]], [0]]);
  });
});

describe('run with several ISOs, as a user starts it', () => {
  it('a config with two projects: one results.json per project folder, naming its ISO and project; the terminal lines name the project', async () => {
    await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
    const isos = [await tinyLiveIso(dir, 'cli-a'), await tinyLiveIso(dir, 'cli-b', { volumeId: 'CLI_B' })];
    const file = join(dir, 'pxe-harness.config.ts');
    await writeFile(file, `import { defineConfig } from 'pxe-harness';
export default defineConfig({ scenario: 'dolly-deploy', accel: 'tcg', projects: [{ name: 'one', iso: ${JSON.stringify(isos[0])} }, { name: 'two', iso: ${JSON.stringify(isos[1])}, firmware: ['bios', 'uefi'] }] });\n`);
    const out = join(dir, 'cli-out');
    const run = await execa('node', [join(root, 'dist/cli/main.js'), 'run', '--config', file, '--out', out, '--reporter', 'line,json'], { reject: false, cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const read = async (name: string) => JSON.parse(await readFile(join(out, name, 'results.json'), 'utf8')) as { iso: string; project: string; results: { name: string; verdict: string }[] };
    const [one, two] = [await read('one'), await read('two')];
    expect([one.iso, one.project, one.results.map((r) => [r.name, r.verdict])]).toEqual([isos[0], 'one', [['dolly-deploy', 'SKIP']]]);
    expect([two.iso, two.project, two.results.map((r) => [r.name, r.verdict])]).toEqual([isos[1], 'two', [['dolly-deploy@bios', 'SKIP'], ['dolly-deploy@uefi', 'SKIP']]]);
    expect(run.stdout).toMatch(/^\[one\] SKIP  dolly-deploy /m);
    expect(run.stdout).toMatch(/^\[two\] SKIP  dolly-deploy@uefi /m);
  });

  it("a bad value of a project's field is refused naming the config file and the project's field, exit 2", async () => {
    const file = join(dir, 'bad.config.ts');
    await writeFile(file, `import { defineConfig } from 'pxe-harness';\nexport default defineConfig({ firmware: 'bios', projects: [{ name: 'x', firmware: 'uefii' }] });\n`);
    const run = await execa('node', [join(root, 'dist/cli/main.js'), 'run', '--config', file, '--out', join(dir, 'bad-out')], { reject: false, cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`config file ${file}, field projects[0].firmware: --firmware must be one of`);
    await expect(stat(join(dir, 'bad-out'))).rejects.toThrow();
  });
});
