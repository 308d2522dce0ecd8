import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineScenario, type ScenarioDefinition } from '../../harness/scenario/define-scenario.js';
import { closest, editDistance } from '../../harness/util/closest.js';

// Bad input tried as a new user would: each is exit 2 with a message naming the input, the field
// (or FILE:LINE:COLUMN) and the fix, never a stack nor the whole usage; nothing is left behind.
const root = join(import.meta.dirname, '..', '..');
let dir: string;

/** The compiled CLI as a user runs it, with no tool on PATH (node by its full path): nothing can boot. */
const cli = (...args: string[]) =>
  execa(process.execPath, [join(root, 'dist/cli/main.js'), ...args], {
    reject: false, cwd: dir, timeout: 20_000, killSignal: 'SIGKILL', env: { PATH: join(dir, 'empty-path'), TMPDIR: dir }, extendEnv: false,
  });

/** Exit 2, no stack trace, no usage dump, and every expected part of the message. */
function expectRefusal(result: Awaited<ReturnType<typeof cli>>, ...parts: (string | RegExp)[]): void {
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('usage:');
  expect(result.stderr).toMatch(/^pxe-harness: /);
  expect(result.stderr).toMatch(/^ {2}fix: /m);
  for (const part of parts) {
    if (typeof part === 'string') expect(result.stderr).toContain(part);
    else expect(result.stderr).toMatch(part);
  }
}

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-bad-input-'));
  await mkdir(join(dir, 'empty-path'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('init: a target it cannot write', () => {
  it.each([
    ['/proc/x.ts', /init cannot write: \/proc\/x\.ts cannot be made: its folder takes no new files \(ENOENT\)/, /fix: pass a file in a folder of your own/],
    ['/sys/x.ts', /init cannot write: \/sys\/x\.ts (is in a folder you may not write to \(EACCES\)|is on a read-only file system \(EROFS\))/, /fix: pass a file /],
    ['no-such-folder/x.ts', /no-such-folder\/x\.ts is in a folder that does not exist \(ENOENT\)/, /fix: make the folder first/],
    ['a-folder.ts', /a-folder\.ts is a folder \(EISDIR\)/, /fix: pass a file name/],
  ])('%s: exit 2 with the path, the reason and the fix, nothing left behind', async (target, reason, fix) => {
    await mkdir(join(dir, 'a-folder.ts'), { recursive: true });
    const result = await cli('init', target);
    expectRefusal(result, reason, fix);
    if (target !== 'a-folder.ts') expect(existsSync(target.startsWith('/') ? target : join(dir, target))).toBe(false);
  });
});

describe('reproduce: a reproduce.json that is not what a run writes', () => {
  const good = { iso: '/x.iso', scenario: 'ram-deploy-http', boot: 0, login: 'root:linux' };
  it.each([
    ['{bad', /reproduce\.json is not JSON: .*position 1/],
    ['{}', /reproduce\.json: field iso must be the path of the ISO, it is missing/],
    ['[1]', /reproduce\.json must hold a JSON object, got \[1\]/],
    [JSON.stringify({ ...good, boot: -1 }), /field boot must be the index of the boot, a whole number from 0, got -1/],
    [JSON.stringify({ ...good, boot: '0' }), /field boot must be the index of the boot, a whole number from 0, got "0"/],
    [JSON.stringify({ ...good, login: 7 }), /field login must be USER:PASSWORD, got 7/],
    [JSON.stringify({ ...good, scenarioFile: 3 }), /field scenarioFile must be the path of the scenario file, got 3/],
    [JSON.stringify({ ...good, boot: 5 }), /field boot is 5, but scenario ram-deploy-http has 1 boot\(s\)/],
  ])('%s: exit 2 naming the file and the field', async (text, message) => {
    const boot = await mkdtemp(join(dir, 'boot-'));
    await writeFile(join(boot, 'reproduce.json'), text);
    expectRefusal(await cli('reproduce', boot), join(boot, 'reproduce.json'), message, 'fix: pass a boot folder written by pxe-harness run (its reproduce.json is written by the run)');
  });
});

describe('run: option values that start with a dash reach the flag\'s own check', () => {
  it.each([
    [['--jobs', '-1'], '--jobs must be a positive whole number, got "-1"', 'fix: pass e.g. --jobs 2'],
    [['--memory-mb', '-5'], '--memory-mb must be a positive whole number, got "-5"', 'fix: pass e.g. --memory-mb'],
    [['--cpus', '-2', '--accel', 'tcg'], '--cpus must be a positive whole number, got "-2"', 'fix: pass e.g. --cpus'],
    [['--reporter', 'json,htlm'], '--reporter knows no reporter "htlm"', 'fix: did you mean html? choose from: terminal, line, json, junit, html, conformance (several with commas)'],
    [['--reporter', 'terminal,line'], '--reporter takes terminal or line, not both: both write to the terminal', 'fix: pass one of them'],
    [['--regression-threshold', '25'], '--regression-threshold needs --baseline: there is nothing to be slower than', 'fix: pass --baseline OLD/results.json with it'],
    [['--baseline', 'old.json', '--regression-threshold', '0'], '--regression-threshold must be a whole number of percent from 1 to 1000, got "0"', 'fix: pass e.g. --regression-threshold 25'],
    [['--baseline', 'old.json'], '--baseline old.json cannot be read (ENOENT)', 'fix: pass the results.json of an earlier run'],
    [['--retries', '9'], '--retries must be at most 5 (retries of a boot that ended in an infrastructure ERROR: a flake that survives five retries is a broken host), got "9"', 'fix: pass --retries 5 or less'],
    [['--max-failures', 'x'], '--max-failures must be a positive whole number, got "x"', 'fix: pass e.g. --max-failures 1'],
    [['--firmware', 'bios,uefi-secrue'], '--firmware must be one of bios, uefi, uefi-secure, a comma-separated list of them, or both; got "bios,uefi-secrue" (unknown: "uefi-secrue")', 'fix: pass e.g. --firmware bios,uefi,uefi-secure'],
  ])('%j', async (args, message, fix) => {
    const result = await cli('run', ...args);
    expectRefusal(result, message, fix);
    expect(result.stderr).not.toContain('ambiguous');
  });
});

describe('run: parser errors are one refusal naming the argument and the fix', () => {
  it.each([
    [['--memroy-mb', '4096'], 'unknown option --memroy-mb of run', 'fix: did you mean --memory-mb? (pxe-harness run --help lists the options)'],
    [['--jbos', '2'], 'unknown option --jbos of run', 'did you mean --jobs?'],
    [['--zzzzzz'], 'unknown option --zzzzzz of run', 'pxe-harness run --help lists the options: --iso, --scenarios, --scenario, --grep,'],
    [['--iso'], '--iso needs a value, got none at the end', 'fix: pass --iso VALUE'],
    [['--iso', '--accel', 'tcg'], '--iso needs a value, got none before --accel', 'fix: pass --iso VALUE'],
    [['--keep=yes'], '--keep takes no value, got "--keep=yes"', 'fix: pass --keep alone'],
    [['memory-mb'], 'run takes no argument "memory-mb"', 'did you mean --memory-mb?'],
    [['boot.iso'], 'run takes no argument "boot.iso"', 'run takes options only: see pxe-harness run --help'],
  ])('%j', async (args, message, fix) => {
    expectRefusal(await cli('run', ...args), message, fix);
  });

  it.each([['run', '--help'], ['run', '-h'], ['list', '--help'], ['reproduce', '-h']])('%s %s prints the usage and exits 0', async (...args) => {
    const result = await cli(...args);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage:\n {2}pxe-harness run /);
  });

  it('the closest known word, only when it is a slip of the fingers', () => {
    expect(editDistance('memroy', 'memory')).toBe(1);
    expect(closest('memroy-mb', ['iso', 'memory-mb', 'cpus'])).toBe('memory-mb');
    expect(closest('timout', ['name', 'timeoutMs'])).toBe('timeoutMs');
    expect(closest('timeoutMS', ['timeoutMs'])).toBe('timeoutMs');
    expect(closest('foo', ['iso', 'out'])).toBeUndefined();
  });
});

const base = (): ScenarioDefinition => ({ name: 'x', summary: 's', publish: { protocol: 'http' }, boots: [{ name: 'b', from: 'network', checks: [] }] });
const withBoot = (extra: object) => ({ ...base(), boots: [{ ...base().boots[0]!, ...extra }] }) as ScenarioDefinition;

describe('defineScenario refuses a field its shape does not have', () => {
  it.each([
    ['timout', withBoot({ timout: 1 }), 'field boots[0].timout is not a field of a boot: did you mean timeoutMs?'],
    ['timeoutMS', withBoot({ timeoutMS: 1 }), 'field boots[0].timeoutMS is not a field of a boot: did you mean timeoutMs?'],
    ['live.sytem', withBoot({ live: { sytem: '/x' } }), 'field boots[0].live.sytem is not a field of the live options (LiveBootOptions): did you mean system?'],
    ['live.persistent', withBoot({ live: { persistent: { cowFS: 'xfs' } } }), 'field boots[0].live.persistent.cowFS is not a field of live.persistent: did you mean cowfs?'],
    ['expectFailure', withBoot({ expectFailure: { reason: /x/, why: 'w', phases: 'p' } }), 'field boots[0].expectFailure.phases is not a field of expectFailure: did you mean phase?'],
    ['netbootFault', withBoot({ netbootFault: { mising: 'kernel' } }), 'field boots[0].netbootFault.mising is not a field of netbootFault: did you mean missing?'],
    ['scenario', { ...base(), sumary: 's' }, 'field sumary is not a field of a scenario: did you mean summary?'],
    ['publish', { ...base(), publish: { protocol: 'http', requestpath: '/x' } }, 'field publish.requestpath is not a field of publish: did you mean requestPath?'],
    ['a fault', { ...base(), publish: { protocol: 'http', fault: { kind: 'cut', afterbyte: 1 } } }, 'field publish.fault.afterbyte is not a field of a cut fault: did you mean afterBytes?'],
    ['a disk', { ...base(), disks: [{ name: 'd', size: '1G', sise: '2G' }] }, 'field disks[0].sise is not a field of a disk: did you mean size?'],
    ['live.overlayStore', withBoot({ live: { overlayStore: { device: 'LABEL=p', pth: '/x' } } }), 'field boots[0].live.overlayStore.pth is not a field of live.overlayStore: did you mean path?'],
    ['an overlay store path', withBoot({ live: { overlayStore: { device: 'LABEL=p', path: 'LiveOS/x' } } }), 'field boots[0].live.overlayStore.path must be an absolute path on that file system, without spaces or colons, such as /LiveOS/overlay.img, got "LiveOS/x"'],
    ['a disk\'s overlay store', { ...base(), disks: [{ name: 'd', size: '1G', contents: { overlayStore: { label: 'p', path: '/x', kind: 'file' } } }] }, 'field disks[0].contents.overlayStore.kind must be \'snapshot-file\' or \'overlayfs-folder\', got "file"'],
    ['a published file name', { ...base(), publish: { protocol: 'http', fileName: '../x.iso' } }, 'field publish.fileName must be a file name of letters, digits, dots, dashes and pluses, such as live-image.img, got "../x.iso"'],
    ['a trusted certificate over a protocol without TLS', { ...base(), publish: { protocol: 'http', trustedCertificate: true } }, 'field publish.trustedCertificate must be true (or left out), with a protocol that serves TLS (https), got true'],
    ['two faults', withBoot({ netbootFault: { missing: 'kernel', altered: 'kernel' } }), "field boots[0].netbootFault must be one of { missing: 'boot-program' | 'kernel' | 'initrd' } or { altered: 'kernel' | 'initrd' }, got {\"missing\":\"kernel\",\"altered\":\"kernel\"}"],
    ['nothing close', withBoot({ zzqq: 1 }), 'field boots[0].zzqq is not a field of a boot: its fields are name, from, live, kernelArgs, loader, netbootFault, timeoutMs, debugEvidence, deliveryProof, checks, expectFailure'],
  ])('%s', (_what, definition, message) => {
    expect(() => defineScenario(definition as ScenarioDefinition)).toThrow(new RangeError(message));
  });

  it('and takes every field it knows', () => {
    expect(() => defineScenario(withBoot({ timeoutMs: 1, live: { system: '/x', persistent: { cowfs: 'xfs' } }, expectFailure: { reason: /x/, why: 'w', phase: 'p' } }))).not.toThrow();
  });
});

describe('a scenario file: the loader names the file and the line', () => {
  const header = "import { check, defineScenario } from 'pxe-harness';\n\n// a comment, and types the transpiler removes\ninterface Foo {\n  a: string;\n}\ntype Bar = Foo;\n\n";
  const body = "export default defineScenario({ name: 'x', summary: 's', publish: { protocol: 'http' }, boots: [{ name: 'b', from: 'network', checks: [check.loginWithinMs(1)] }] });\n";

  it('a misspelt field: the file, the line of the defineScenario call, the field and its closest name', async () => {
    const file = join(dir, 'typo.ts');
    await writeFile(file, header + body.replace("from: 'network',", "from: 'network', timout: 5,"));
    expectRefusal(await cli('list', '--scenarios', file), `scenario file ${file}:9:16: field boots[0].timout is not a field of a boot: did you mean timeoutMs?`);
  });

  it('a runtime error at the top level: FILE:LINE:COLUMN of the throw site in the TypeScript, not in what it was transpiled to', async () => {
    const file = join(dir, 'throws.ts');
    await writeFile(file, `${header}const x: Bar | undefined = undefined as Bar | undefined;\nconst y = (x as unknown as { f(): void }).f();\n${body}`);
    const result = await cli('list', '--scenarios', file);
    expectRefusal(result, `scenario file ${file} cannot be loaded: ${file}:10:43: TypeError: Cannot read properties of undefined (reading 'f')`, `input: ${file}:10:43`);
  });

  it('a syntax error: FILE:LINE:COLUMN once', async () => {
    const file = join(dir, 'syntax.ts');
    await writeFile(file, 'const a = 1;\nexport default {{;\n');
    const result = await cli('list', '--scenarios', file);
    expectRefusal(result, `scenario file ${file} cannot be loaded: ${file}:2:17: SyntaxError: Property assignment expected.`);
  });

  it('a syntax error in a JavaScript file: FILE:LINE:COLUMN as node places it', async () => {
    const file = join(dir, 'syntax.js');
    await writeFile(file, "import { defineScenario } from 'pxe-harness';\n\nexport default defineScenario({ name: 'x' summary: 's' });\n");
    const result = await cli('list', '--scenarios', file);
    expectRefusal(result, `scenario file ${file} cannot be loaded: ${file}:3:43: SyntaxError: Unexpected identifier 'summary'`, `input: ${file}:3:43`);
  });
});

describe('a config file (pxe-harness.config.ts): each refusal names the file and the field', () => {
  /** The CLI run in a folder of its own, where a config file may sit. */
  const cliIn = (cwd: string, ...args: string[]) =>
    execa(process.execPath, [join(root, 'dist/cli/main.js'), ...args], {
      reject: false, cwd, timeout: 20_000, killSignal: 'SIGKILL', env: { PATH: join(dir, 'empty-path'), TMPDIR: dir }, extendEnv: false,
    });
  const folderWith = async (name: string, config: string) => {
    const folder = join(dir, `config-${name}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'pxe-harness.config.ts'), `import { defineConfig } from 'pxe-harness';\nexport default defineConfig(${config});\n`);
    return folder;
  };

  it('a misspelt field: FILE:LINE:COLUMN and the closest field', async () => {
    const folder = await folderWith('misspelt', "{ retires: 2 } as never");
    const result = await cliIn(folder, 'run');
    expectRefusal(result, `config file ${join(folder, 'pxe-harness.config.ts')}:2:`, 'field retires is not a field of the config (the options of run, in camelCase): did you mean retries?');
    expect(existsSync(join(folder, 'out'))).toBe(false);
  });

  it("a bad value: the flag's own check, said of the file's field", async () => {
    const folder = await folderWith('bad-value', "{ retries: 9, iso: 'x.iso' }");
    expectRefusal(await cliIn(folder, 'run'), `config file ${join(folder, 'pxe-harness.config.ts')}, field retries: --retries must be at most 5`, 'field retries of the config, or --retries on the command line');
  });

  it('a wrong type names the field and what it takes', async () => {
    const folder = await folderWith('bad-type', "{ keep: 'yes' } as never");
    expectRefusal(await cliIn(folder, 'run'), `config file ${join(folder, 'pxe-harness.config.ts')}: field keep must be true or false, got "yes"`);
  });

  it('an option on the command line wins over the file; the file\'s paths are relative to its folder', async () => {
    const folder = await folderWith('cli-wins', "{ retries: 9, iso: 'from-config.iso' }");
    // --retries 1 wins: the refusal left is the ISO's, whose path the config resolved against its folder.
    expectRefusal(await cliIn(folder, 'run', '--retries', '1'), join(folder, 'from-config.iso'));
    expectRefusal(await cliIn(folder, 'run', '--retries', '1', '--iso', 'given.iso'), 'ISO given.iso cannot be read');
  });

  it('--config names the file; a missing one is refused', async () => {
    const folder = await folderWith('explicit', "{ jobs: 0 }");
    expectRefusal(await cliIn(dir, 'run', '--config', join(folder, 'pxe-harness.config.ts')), 'field jobs: --jobs must be at least 1');
    expectRefusal(await cliIn(dir, 'run', '--config', 'nowhere.config.ts'), 'config file nowhere.config.ts does not exist');
  });
});
