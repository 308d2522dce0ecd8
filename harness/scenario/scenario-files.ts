import { readdir, stat } from 'node:fs/promises';
import { register } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inputError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';
import { isDefinedScenario, type ScenarioDefinition } from './define-scenario.js';
import { syntaxErrorSite } from './syntax-site.js';
import { throwSite, withoutSite } from './throw-site.js';

/** The file endings of scenario files: TypeScript (transpiled on load) and JavaScript modules. */
const SCENARIO_FILE = /\.(?:ts|mts|js|mjs)$/;
let hooksRegistered = false;

/** The TypeScript loader and the `pxe-harness` name, once per process. */
function registerHooks(): void {
  if (hooksRegistered) return;
  const root = packageRoot();
  const apiUrl = pathToFileURL(join(root, 'dist', 'index.js')).href;
  register(pathToFileURL(join(root, 'dist', 'harness', 'scenario', 'ts-hooks.js')).href, { data: { apiUrl } });
  // The hook transpiles with an inline source map: with it, a stack names the TypeScript's own lines.
  process.setSourceMapsEnabled(true);
  hooksRegistered = true;
}

/** The scenario files a --scenarios argument names: the file itself, or every scenario file below a folder. */
async function filesOf(path: string): Promise<string[]> {
  const info = await stat(path).catch((cause: Error) => {
    throw inputError(`scenario file or folder ${path} cannot be read: ${cause.message}`, path, 'pass an existing scenario file (.ts, .mts, .js, .mjs) or a folder of them', cause);
  });
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && SCENARIO_FILE.test(e.name) && !e.name.endsWith('.d.ts') && !join(e.parentPath, e.name).includes('/node_modules/'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** Why a file could not be imported, at FILE:LINE:COLUMN where the error names a place in it. */
async function loadError(file: string, cause: unknown, what = 'scenario file'): Promise<Error> {
  const where = throwSite(cause, file) ?? (cause instanceof SyntaxError ? await syntaxErrorSite(file) : undefined);
  // defineScenario refuses a bad field with a RangeError that names it.
  // The message carries the cause's whole message: the cause is not passed (its line would repeat it).
  if (cause instanceof RangeError) return inputError(`${what} ${where ?? file}: ${cause.message}`, where ?? file, `fix that field (see ${what === 'scenario file' ? 'docs/writing-scenarios.md' : 'pxe-harness run --help'})`);
  const error = cause instanceof Error ? cause : new Error(String(cause));
  const text = `${error.name}: ${withoutSite(error.message, file)}`;
  return inputError(`${what} ${file} cannot be loaded: ${where ? `${where}: ` : ''}${text}`, where ?? file, 'fix the file at that place (run it with node, or check it with tsc)');
}

/**
 * Imports a file of the user's (a scenario file, the config file) as the harness does: TypeScript
 * transpiled on load, `pxe-harness` resolved to this package; an error names the file and place.
 */
export async function importUserModule(file: string, what = 'scenario file'): Promise<{ default?: unknown }> {
  registerHooks();
  try {
    return (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (cause) {
    throw await loadError(file, cause, what);
  }
}

/** One file's scenarios: its default export, a defineScenario(...) or a list of them. */
async function loadFile(file: string): Promise<ScenarioDefinition[]> {
  if (!SCENARIO_FILE.test(file)) throw inputError(`scenario file ${file} is not a .ts, .mts, .js or .mjs file (${extname(file) || 'no extension'})`, file, 'name the file *.ts or *.js');
  const module = await importUserModule(file);
  const exported = Array.isArray(module.default) ? module.default : [module.default];
  exported.forEach((s, i) => {
    if (!isDefinedScenario(s)) {
      const what = module.default === undefined ? 'has no default export' : `default-exports ${Array.isArray(module.default) ? `a list whose item ${i} is not a scenario` : 'something else'}`;
      throw inputError(`scenario file ${file} ${what}: it must \`export default defineScenario({...})\``, file, "import { defineScenario } from 'pxe-harness' and export its result as default");
    }
  });
  return (exported as ScenarioDefinition[]).map((s) => ({ ...s, sourceFile: file }));
}

/**
 * The scenarios of the user's files and folders, in order; a field defineScenario refused, a file
 * without a scenario, or a name used twice (here or by a built-in scenario) is an input error
 * that names the file.
 */
export async function loadScenarioFiles(paths: readonly string[], builtIn: readonly ScenarioDefinition[] = []): Promise<ScenarioDefinition[]> {
  registerHooks();
  const loaded: ScenarioDefinition[] = [];
  const seen = new Map(builtIn.map((s) => [s.name, 'the built-in scenarios']));
  for (const path of paths) {
    for (const file of await filesOf(resolve(path))) {
      for (const s of await loadFile(file)) {
        const other = seen.get(s.name);
        if (other) throw inputError(`scenario file ${file}: name ${JSON.stringify(s.name)} is already used by ${other}`, file, 'give every scenario a name of its own');
        seen.set(s.name, file);
        loaded.push(s);
      }
    }
  }
  return loaded;
}
