import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md's worked examples, checked against the code: every `file=` block is
 * compiled as that new file, every `register=` block's `-` lines must be in its file today and are
 * replaced by its `+` lines, and the whole application (index.ts, cli/main.ts, bench/) is then
 * type-checked with every example registered at once. Nothing is written to the tree.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');

interface Example {
  kind: 'file' | 'register';
  path: string;
  body: string;
}

const examples: Example[] = [...doc.matchAll(/```ts (file|register)=(\S+)\n([\s\S]*?)```/g)].map((m) => ({ kind: m[1] as Example['kind'], path: m[2]!, body: m[3]! }));

/** A register block applied to its file: the `-` lines (consecutive, verbatim) become the `+` lines. */
function applyRegistration(example: Example): string {
  const text = readFileSync(join(root, example.path), 'utf8');
  const lines = example.body.split('\n').filter(Boolean);
  const removed = lines.filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
  const added = lines.filter((l) => l.startsWith('+ ')).map((l) => l.slice(2));
  const old = removed.join('\n');
  if (!removed.length || !text.includes(old)) throw new Error(`${example.path} no longer holds the line(s) the example replaces:\n${old}`);
  return text.replace(old, added.join('\n'));
}

/** Type-checks the application with these files added or replaced (absolute path -> text). */
function typeCheck(virtual: Map<string, string>): string[] {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const host = ts.createCompilerHost({ ...options, noEmit: true, noUnusedLocals: true });
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtual.has(resolve(f)) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(resolve(f)) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = virtual.get(resolve(f));
    return text === undefined ? getSourceFile.call(host, f, language, onError, create) : ts.createSourceFile(f, text, language);
  };
  const roots = [...virtual.keys(), ...['index.ts', 'cli/main.ts', 'bench/main.ts'].map((f) => join(root, f))];
  const program = ts.createProgram(roots, { ...options, noEmit: true, noUnusedLocals: true }, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.replace(root, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe("docs/architecture.md's worked examples", () => {
  it('show a new file and its registration for each axis and for a check', () => {
    const files = examples.filter((e) => e.kind === 'file').map((e) => e.path.split('/')[1]);
    const registered = examples.filter((e) => e.kind === 'register').map((e) => e.path.split('/')[1]);
    for (const axis of ['arch', 'firmware', 'netboot', 'live', 'publish', 'scenario']) {
      expect(files, `a new file of ${axis}/`).toContain(axis);
      expect(registered, `a registration in ${axis}/`).toContain(axis);
    }
  });

  it('replace lines that are in the code today', () => {
    for (const example of examples.filter((e) => e.kind === 'register')) expect(() => applyRegistration(example)).not.toThrow();
  });

  it('type-check with the whole application once every example is registered', () => {
    const virtual = new Map<string, string>();
    for (const example of examples) virtual.set(join(root, example.path), example.kind === 'file' ? example.body : applyRegistration(example));
    expect(typeCheck(virtual)).toEqual([]);
  }, 120_000);

  it('fail the check when an example does not fit the interface', () => {
    const example = examples.find((e) => e.path === 'harness/arch/riscv64.ts')!;
    const broken = new Map([[join(root, example.path), example.body.replace("qemuBinary: 'qemu-system-riscv64',\n", '')]]);
    expect(typeCheck(broken).join('\n')).toMatch(/qemuBinary/);
  }, 120_000);
});
