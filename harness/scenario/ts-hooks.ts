/**
 * Module hooks (node:module register) for the user's scenario files, as tsx or Playwright's config
 * loader do it: TypeScript files are transpiled on load (types are not checked here: the user's
 * editor and tsc do that), and the bare specifier `pxe-harness` resolves to this package, so that
 * a scenario file outside any project with pxe-harness installed still finds its API.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

let apiUrl = '';

/** Called by register() with the data it was given: the URL of the package's public entry. */
export function initialize(data: { apiUrl: string }): void {
  apiUrl = data.apiUrl;
}

type Next<T> = (specifier: string, context: unknown) => Promise<T>;
const TS = /\.(?:c|m)?ts$/;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next<{ url: string }>): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'pxe-harness') return { url: apiUrl, shortCircuit: true };
  // `import '../runner/helpers.js'` in TypeScript names the file helpers.ts.
  if (/^\.\.?\//.test(specifier) && specifier.endsWith('.js') && context.parentURL && TS.test(context.parentURL)) {
    const asTs = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (!existsSync(fileURLToPath(new URL(specifier, context.parentURL))) && existsSync(fileURLToPath(asTs))) return { url: asTs.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url: string, context: unknown, next: Next<{ format?: string; source?: unknown }>): Promise<{ format?: string; source?: unknown; shortCircuit?: boolean }> {
  if (!url.startsWith('file:') || !TS.test(url) || url.endsWith('.d.ts')) return next(url, context);
  const ts = (await import('typescript')).default;
  const source = await readFile(fileURLToPath(url), 'utf8');
  const output = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true, inlineSources: true },
    reportDiagnostics: true,
  });
  // transpileModule reports only syntax errors (no type checking): each names the line.
  const [first] = output.diagnostics ?? [];
  if (first) {
    const at = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start) : undefined;
    const where = at ? `${fileURLToPath(url)}:${at.line + 1}:${at.character + 1}` : fileURLToPath(url);
    throw new SyntaxError(`${where}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`);
  }
  return { format: 'module', source: output.outputText, shortCircuit: true };
}

export const entryUrl = (path: string) => pathToFileURL(path).href;
