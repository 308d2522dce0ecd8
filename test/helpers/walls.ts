import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The project's walls as code (in the spirit of Playwright's per-folder DEPS.list): every check
 * is a pure function of the sources, so a test can feed it a planted leak and see it caught.
 */

export interface Source {
  /** Repository-relative, with forward slashes: harness/engine/run-all.ts. */
  path: string;
  text: string;
}

export interface Finding {
  rule: 'deps' | 'folder-loop' | 'file-cycle' | 'long-function' | 'choice-literal' | 'no-process' | 'missing-deps-list';
  file: string;
  line: number;
  message: string;
}

export interface ImportEdge {
  from: string;
  /** Repository-relative path of the imported file (.ts), or the bare specifier of a package. */
  to: string;
  line: number;
  relative: boolean;
}

const parse = (source: Source) => ts.createSourceFile(source.path, source.text, ts.ScriptTarget.Latest, true);
const lineOf = (file: ts.SourceFile, node: ts.Node) => file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;

/** Every import, export-from and dynamic import with a literal specifier, resolved to the .ts file it names. */
export function importsOf(source: Source): ImportEdge[] {
  const file = parse(source);
  const edges: ImportEdge[] = [];
  const add = (spec: string, node: ts.Node) => {
    const isRelative = spec.startsWith('.');
    const to = isRelative ? normalize(join(dirname(source.path), spec.replace(/\.js$/, '.ts'))).replaceAll('\\', '/') : spec;
    edges.push({ from: source.path, to, line: lineOf(file, node), relative: isRelative });
  };
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) add(node.moduleSpecifier.text, node);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) add(node.arguments[0].text, node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return edges;
}

/** A folder's DEPS.list: what files of that folder (and its subfolders) may import outside it. */
export interface DepsList {
  folder: string;
  /** Folders (ending in /) or files, repository-relative. */
  allowed: string[];
}

/** Parses a DEPS.list: one path per line relative to its folder, `#` starts a comment. */
export function parseDepsList(folder: string, text: string): DepsList {
  const allowed = text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((entry) => {
      const path = normalize(join(folder, entry)).replaceAll('\\', '/');
      return entry.endsWith('/') ? `${path.replace(/\/$/, '')}/` : path;
    });
  return { folder, allowed };
}

const within = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** The DEPS.list that governs a file: the one of its folder or the nearest folder above it. */
const governing = (path: string, lists: readonly DepsList[]) =>
  lists.filter((l) => within(path, l.folder)).sort((a, b) => b.folder.length - a.folder.length)[0];

/** Every relative import that leaves the governing folder must be allowed by its DEPS.list. */
export function checkDeps(sources: readonly Source[], lists: readonly DepsList[]): Finding[] {
  const findings: Finding[] = [];
  for (const source of sources) {
    const list = governing(source.path, lists);
    if (!list) {
      findings.push({ rule: 'missing-deps-list', file: source.path, line: 1, message: `no DEPS.list governs ${dirname(source.path)}` });
      continue;
    }
    for (const edge of importsOf(source).filter((e) => e.relative && !within(e.to, list.folder))) {
      const ok = list.allowed.some((a) => (a.endsWith('/') ? edge.to.startsWith(a) : edge.to === a));
      if (!ok) findings.push({ rule: 'deps', file: source.path, line: edge.line, message: `imports ${edge.to}, which ${list.folder}/DEPS.list does not allow` });
    }
  }
  return findings;
}

/** The folder a file belongs to for the loop check: harness/<folder> (subfolders count as their top folder), cli, ... */
export const folderOf = (path: string) => {
  const parts = path.split('/');
  return parts[0] === 'harness' && parts.length > 2 ? `harness/${parts[1]}` : parts.length > 1 ? parts[0]! : path;
};

/** A cycle in a directed graph, as the list of its nodes, or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** No folder imports a folder that imports it back, directly or through others; no file cycle either. */
export function checkLoops(sources: readonly Source[]): Finding[] {
  const folders = new Map<string, Set<string>>();
  const files = new Map<string, Set<string>>();
  const firstEdge = new Map<string, ImportEdge>();
  for (const source of sources) {
    for (const edge of importsOf(source).filter((e) => e.relative)) {
      const [a, b] = [folderOf(edge.from), folderOf(edge.to)];
      if (a !== b) {
        folders.set(a, (folders.get(a) ?? new Set()).add(b));
        if (!firstEdge.has(`${a}>${b}`)) firstEdge.set(`${a}>${b}`, edge);
      }
      files.set(edge.from, (files.get(edge.from) ?? new Set()).add(edge.to));
    }
  }
  const findings: Finding[] = [];
  const folderCycle = findCycle(folders);
  if (folderCycle) {
    const edge = firstEdge.get(`${folderCycle[0]}>${folderCycle[1]}`)!;
    findings.push({ rule: 'folder-loop', file: edge.from, line: edge.line, message: `folders import each other: ${folderCycle.join(' -> ')}` });
  }
  const fileCycle = findCycle(files);
  if (fileCycle) findings.push({ rule: 'file-cycle', file: fileCycle[0]!, line: 1, message: `files import each other: ${fileCycle.join(' -> ')}` });
  return findings;
}

const isFunctionLike = (node: ts.Node): node is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node);

/** Functions (declarations, methods, arrows) of more than maxLines lines, body included. */
export function checkLongFunctions(sources: readonly Source[], maxLines: number): Finding[] {
  const findings: Finding[] = [];
  for (const source of sources) {
    const file = parse(source);
    const visit = (node: ts.Node) => {
      if (isFunctionLike(node) && node.body) {
        const start = lineOf(file, node);
        const lines = file.getLineAndCharacterOfPosition(node.getEnd()).line + 2 - start;
        if (lines > maxLines) findings.push({ rule: 'long-function', file: source.path, line: start, message: `${nameOf(node, file)} has ${lines} lines (at most ${maxLines})` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return findings;
}

const nameOf = (node: ts.FunctionLikeDeclaration, file: ts.SourceFile) => {
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) return parent.name.getText(file);
  return 'an anonymous function';
};

/** What the engine and the scenario face must not spell: the choices' names and their kinds of facts. */
export interface ChoiceLiterals {
  /** Ids of choices (firmware ids, module ids, protocols, loader ids): a literal equal to one, or holding it as a word. */
  words: readonly string[];
  /** Kinds of facts only a choice may hold: kernel options, device paths, boot-file paths. */
  patterns: readonly { pattern: RegExp; what: string }[];
}

/** String, template and regular-expression literals of these sources that name a choice. */
export function checkChoiceLiterals(sources: readonly Source[], literals: ChoiceLiterals): Finding[] {
  const words = literals.words.map((w) => ({ w, re: new RegExp(`(^|[^\\w.-])${w.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}($|[^\\w-])`) }));
  const findings: Finding[] = [];
  for (const source of sources) {
    const file = parse(source);
    const visit = (node: ts.Node) => {
      const text = literalText(node);
      // Import specifiers are paths, not facts; the DEPS.list rule judges them.
      if (text !== undefined && !(ts.isStringLiteral(node) && (ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent)))) {
        const word = words.find((w) => w.re.test(text));
        const pattern = literals.patterns.find((p) => p.pattern.test(text));
        if (word) findings.push({ rule: 'choice-literal', file: source.path, line: lineOf(file, node), message: `the literal ${JSON.stringify(text.slice(0, 80))} names the choice "${word.w}"` });
        else if (pattern) findings.push({ rule: 'choice-literal', file: source.path, line: lineOf(file, node), message: `the literal ${JSON.stringify(text.slice(0, 80))} holds ${pattern.what}` });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return findings;
}

const literalText = (node: ts.Node): string | undefined => {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) return node.text;
  // A regular expression as the text it matches: /\/dev\/ram0/ holds /dev/ram0.
  if (ts.isRegularExpressionLiteral(node)) return node.text.slice(1, node.text.lastIndexOf('/')).replace(/\\(.)/g, '$1');
  return undefined;
};

/** Sources whose imports start a process: node's child_process, execa, or the harness's own launcher. */
export function checkNoProcess(sources: readonly Source[], forbidden: readonly string[]): Finding[] {
  return sources.flatMap((source) =>
    importsOf(source)
      .filter((e) => forbidden.some((f) => e.to === f || e.to.startsWith(f)))
      .map((e) => ({ rule: 'no-process' as const, file: source.path, line: e.line, message: `imports ${e.to}: this folder starts no process` })),
  );
}

/** Every .ts source under these folders of the repository (no declaration files). */
export function readSources(root: string, folders: readonly string[]): Source[] {
  const out: Source[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push({ path: relative(root, path).replaceAll('\\', '/'), text: readFileSync(path, 'utf8') });
    }
  };
  for (const folder of folders) walk(resolve(root, folder));
  return out;
}

/** Every DEPS.list under these folders. */
export function readDepsLists(root: string, folders: readonly string[]): DepsList[] {
  const out: DepsList[] = [];
  const walk = (dir: string) => {
    const rel = relative(root, dir).replaceAll('\\', '/');
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name === 'DEPS.list') out.push(parseDepsList(rel, readFileSync(path, 'utf8')));
    }
  };
  for (const folder of folders) walk(resolve(root, folder));
  return out;
}

export const formatFindings = (findings: readonly Finding[]) => findings.map((f) => `${f.file}:${f.line} [${f.rule}] ${f.message}`).join('\n');
