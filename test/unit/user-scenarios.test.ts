import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BootContext } from '../../harness/scenario/define-scenario.js';
import { check } from '../../index.js';

// A user's scenario files, outside the repo, loaded by the compiled CLI as a user runs it.
const root = join(import.meta.dirname, '..', '..');
const cli = (cwd: string, ...args: string[]) => execa('node', [join(root, 'dist/cli/main.js'), ...args], { reject: false, cwd });
let dir: string;
const scenario = (name: string, extra = '') =>
  `import { check, defineScenario } from 'pxe-harness';\nexport default defineScenario({ name: ${JSON.stringify(name)}, summary: 's', publish: { protocol: 'http' }, boots: [{ name: 'b', from: 'network', checks: [check.loginWithinMs(1000)] }]${extra} });\n`;

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-user-scenarios-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('scenario files of the user', () => {
  it('list --scenarios shows what run --scenarios would boot: the file\'s scenarios, with their file', async () => {
    await writeFile(join(dir, 'mine.ts'), scenario('my-own'));
    const result = await cli(dir, 'list', '--scenarios', 'mine.ts');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/^ram-deploy-http\s/m);
    expect(result.stdout).toMatch(new RegExp(`^my-own\\s+s  \\(${join(dir, 'mine.ts')}\\)$`, 'm'));
  });

  it('a folder: every scenario file below it, TypeScript and JavaScript', async () => {
    await mkdir(join(dir, 'folder', 'sub'), { recursive: true });
    await writeFile(join(dir, 'folder', 'a.ts'), scenario('from-ts'));
    await writeFile(join(dir, 'folder', 'sub', 'b.mjs'), scenario('from-mjs'));
    const result = await cli(dir, 'list', '--scenarios', 'folder');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^from-ts\s/m);
    expect(result.stdout).toMatch(/^from-mjs\s/m);
  });

  it.each([
    ['no default export', 'export const x = 1;\n', /has no default export: it must `export default defineScenario\(\{\.\.\.\}\)`/],
    ['a bad field', scenario('Bad Name'), /: field name must be lower-case words joined by '-', got "Bad Name"/],
    ['a bad nested field', scenario('x', ", publish: { protocol: 'gopher' }").replace("publish: { protocol: 'http' }, ", ''), /: field publish\.protocol must be http, https, ftp, aoe \(or dolly, which SKIPs here\), got "gopher"/],
    ['a not-ready fault without a count', scenario('x', ", publish: { protocol: 'http', fault: { kind: 'not-ready', requests: 0 } }").replace("publish: { protocol: 'http' }, ", ''), /: field publish\.fault\.requests must be the number of requests told to ask again, 1 to 100, got 0/],
    ['a fault on the AoE export', scenario('x', ", publish: { protocol: 'aoe', fault: { kind: 'cut', afterBytes: 1 } }").replace("publish: { protocol: 'http' }, ", ''), /: field publish must be just \{ protocol: "aoe" \} \(vblade exports the ISO as it is\), got \{"protocol":"aoe","fault":/],
    ['an unknown compression', scenario('x', ", publish: { protocol: 'http', compressed: 'zip' }").replace("publish: { protocol: 'http' }, ", ''), /: field publish\.compressed must be 'xz' \(or left out\), got "zip"/],
    ['a fault the protocol cannot serve', scenario('x', ", publish: { protocol: 'ftp', fault: { kind: 'redirect', status: 302 } }").replace("publish: { protocol: 'http' }, ", ''), /: field publish\.fault must be a fault ftp can serve \(a redirect is http or https only\), got \{"kind":"redirect","status":302\}/],
    ['a built-in name', scenario('ram-deploy-http'), /: name "ram-deploy-http" is already used by the built-in scenarios/],
    ['a syntax error', 'export default {{;\n', /cannot be loaded: /],
  ])('%s: exit 2 naming the file and the field, nothing booted, no output folder', async (_what, source, message) => {
    const file = join(dir, `bad-${Math.random().toString(36).slice(2)}.ts`);
    await writeFile(file, source);
    const result = await cli(dir, 'run', '--accel', 'tcg', '--scenarios', file, '--out', join(dir, 'out-bad'));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`scenario file ${file}`);
    expect(result.stderr).toMatch(message);
    expect(existsSync(join(dir, 'out-bad'))).toBe(false);
  });

  it('the same name in two files is refused, naming both', async () => {
    await writeFile(join(dir, 'one.ts'), scenario('twice'));
    await writeFile(join(dir, 'two.ts'), scenario('twice'));
    const result = await cli(dir, 'list', '--scenarios', 'one.ts', '--scenarios', 'two.ts');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`scenario file ${join(dir, 'two.ts')}: name "twice" is already used by ${join(dir, 'one.ts')}`);
  });

  it('init writes a starter file that loads, and never overwrites one', async () => {
    const first = await cli(dir, 'init', 'starter.scenario.ts');
    expect(first.exitCode, first.stderr).toBe(0);
    expect((await cli(dir, 'list', '--scenarios', 'starter.scenario.ts')).stdout).toMatch(/^my-iso-promises\s/m);
    const again = await cli(dir, 'init', 'starter.scenario.ts');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/starter\.scenario\.ts already exists/);
  });
});

describe('generic checks, on a context of recorded answers', () => {
  const context = (answers: Record<string, { exitCode: number; output: string }>, extra: Partial<BootContext> = {}) =>
    ({
      shell: async () => ({ run: async (command: string) => ({ command, ...(answers[command] ?? { exitCode: 127, output: 'not found' }) }) }),
      consoleLines: [{ tMs: 12_000, text: '[  OK  ] Reached target multi-user.target' }],
      timeline: { login: 61_000 },
      ...extra,
    }) as unknown as BootContext;

  it('commandSucceeds: status and output, each named in the detail', async () => {
    const ctx = context({ 'hostname': { exitCode: 0, output: 'vm' } });
    expect(await check.commandSucceeds('hostname', { output: 'vm' }).run(ctx)).toEqual({ ok: true, detail: 'status 0, output "vm"' });
    expect((await check.commandSucceeds('hostname', { output: /^web\d/ }).run(ctx)).ok).toBe(false);
    expect((await check.commandSucceeds('false').run(ctx)).detail).toBe('status 127, output "not found"');
  });

  it('fileContains, unitIs, consoleShows, loginWithinMs', async () => {
    const ctx = context({ "cat -- '/etc/hostname'": { exitCode: 0, output: 'vm' }, "systemctl is-active -- 'sshd.service'": { exitCode: 3, output: 'inactive' } });
    expect((await check.fileContains('/etc/hostname', 'vm').run(ctx)).ok).toBe(true);
    expect(await check.unitIs('sshd.service').run(ctx)).toEqual({ ok: false, detail: 'systemctl is-active sshd.service: inactive' });
    expect((await check.consoleShows(/multi-user/).run(ctx)).detail).toMatch(/^at 12\.0 s: /);
    expect(await check.loginWithinMs(60_000).run(ctx)).toEqual({ ok: false, detail: 'login: after 61.0 s (bound 60.0 s)' });
    expect(() => check.loginWithinMs(0)).toThrow(/positive bound/);
  });
});
