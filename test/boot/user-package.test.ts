import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureIsoPath } from '../../harness/iso/fixture-iso.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// The package as a QA team gets it: `npm pack`, installed into a project of their own outside this
// repo, their TypeScript scenario file type-checked against the package's declarations, then run
// by the installed CLI against the fixture ISO: one scenario keeps its promises, one does not.
const root = join(import.meta.dirname, '..', '..');
const SCENARIO_FILE = `import { check, defineScenario, type Check } from 'pxe-harness';

/** A promise of our own: the boot entry reached the kernel. */
const cmdlineCarriesLiveRoot: Check = {
  name: 'our promise: /proc/cmdline carries root=live:',
  async run({ shell }) {
    const result = await (await shell()).run('cat /proc/cmdline');
    return { ok: result.output.includes('root=live:'), detail: \`cmdline: \${result.output.trim()}\` };
  },
};

const boot = (checks: Check[]) => [{ name: 'network boot into RAM', from: 'network' as const, checks }];

export default [
  defineScenario({
    name: 'qa-promises-kept',
    summary: 'the ISO keeps our promises',
    publish: { protocol: 'http' },
    boots: boot([cmdlineCarriesLiveRoot, check.unitIs('systemd-journald.service'), check.loginWithinMs(900_000)]),
  }),
  defineScenario({
    name: 'qa-promise-broken',
    summary: 'a promise the ISO does not keep',
    publish: { protocol: 'http' },
    boots: boot([check.fileContains('/etc/qa-release', 'QA-2026')]),
  }),
];
`;

let project: string;
let install: { tarball: string };
let before: Leftovers;
removeOnSuccess(() => project, 'the packed project');

beforeAll(async () => {
  before = await leftovers();
  project = await mkdtemp(join(tmpdir(), 'pxe-user-project-'));
  const packed = await execa('npm', ['pack', '--pack-destination', project, '--loglevel=error'], { cwd: root });
  install = { tarball: join(project, packed.stdout.trim().split('\n').pop()!) };
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'iso-qa', private: true, type: 'module' }, null, 2));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false }, include: ['*.ts'] }, null, 2));
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', install.tarball], { cwd: project });
  await writeFile(join(project, 'qa.scenario.ts'), SCENARIO_FILE);
}, 600_000);

afterAll(async () => {
  expect(await newLeftovers(before), 'no QEMU, relay or temp dir may be left behind').toEqual({ processes: [], tempDirs: [] });
});

describe('pxe-harness installed from npm pack into a project of its own', () => {
  it("type-checks the user's scenario file against the package's declarations, and refuses a wrong one", async () => {
    const tsc = join(project, 'node_modules', '.bin', 'tsc');
    const good = await execa(tsc, ['-p', '.'], { cwd: project, reject: false });
    expect(good.exitCode, good.stdout).toBe(0);
    await writeFile(join(project, 'wrong.ts'), "import { check } from 'pxe-harness';\nexport const c = check.loginWithinMs('soon');\n");
    const wrong = await execa(tsc, ['-p', '.'], { cwd: project, reject: false });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts.*Argument of type 'string' is not assignable to parameter of type 'number'/);
    await execa('rm', [join(project, 'wrong.ts')]);
  }, 120_000);

  it('runs it against the fixture ISO: PASS and FAIL, the custom checks\' details in JUnit and HTML', async () => {
    const iso = await fixtureIsoPath({ progress: false });
    const cli = join(project, 'node_modules', 'pxe-harness', 'dist', 'cli', 'main.js');
    const out = join(project, 'out');
    const run = await execa('node', [cli, 'run', '--iso', iso, '--accel', 'tcg', '--scenarios', 'qa.scenario.ts', '--out', out, '--jobs', '2'], { cwd: project, reject: false });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^PASS\s+qa-promises-kept\s/m);
    expect(run.stdout).toMatch(/^FAIL\s+qa-promise-broken\s.*\/etc\/qa-release contains "QA-2026": NO \(cannot read \/etc\/qa-release/m);
    const junit = (await parse(await readFile(join(out, 'junit.xml'), 'utf8'))) as { testsuite?: { testcase?: { classname?: string; file?: string; failure?: { inner?: string }[] }[] }[] };
    const cases = junit.testsuite![0]!.testcase!;
    expect(cases.find((c) => c.classname === 'qa-promise-broken')!.failure![0]!.inner).toMatch(/\/etc\/qa-release/);
    // The user's scenario file is the testcase's file, as CI test tabs link it.
    expect(cases.find((c) => c.classname === 'qa-promise-broken')!.file).toBe(join(project, 'qa.scenario.ts'));
    expect(JSON.stringify(cases.find((c) => c.classname === 'qa-promises-kept'))).toMatch(/our promise: \/proc\/cmdline carries root=live:: cmdline: .*root=live:http/);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('our promise: /proc/cmdline carries root=live:');
    expect(html).toMatch(/cannot read \/etc\/qa-release/);
    // reproduce knows where the scenario came from.
    const bootDir = (await readdir(join(out, 'qa-promise-broken'))).find((d) => d.startsWith('boot-1'))!;
    const spec = JSON.parse(await readFile(join(out, 'qa-promise-broken', bootDir, 'reproduce.json'), 'utf8')) as { scenarioFile?: string };
    expect(spec.scenarioFile).toBe(join(project, 'qa.scenario.ts'));
  }, 1_200_000);
});
