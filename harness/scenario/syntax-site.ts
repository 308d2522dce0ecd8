import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** `node --check` of one file takes well under a second; this bounds a hung one. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * Where a JavaScript module's syntax error is, as FILE:LINE:COLUMN. Node's import() rejects with a
 * bare SyntaxError (the position is printed only when the error is fatal), so the file is parsed
 * again by `node --check` as a module (a scenario file is one: it has a default export), fed on
 * stdin because `--check FILE` of a .js file applies no module syntax. Node prints `[stdin]:LINE`,
 * the line, and carets under the place. Undefined when it parses (the error came from a file it
 * imports) or node names no line.
 */
export async function syntaxErrorSite(file: string): Promise<string | undefined> {
  const source = await readFile(file, 'utf8').catch(() => undefined);
  if (source === undefined) return undefined;
  const stderr = await new Promise<string | undefined>((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '--check'], { timeout: CHECK_TIMEOUT_MS }, (error, _stdout, err) => resolve(error ? err : undefined));
    child.stdin?.end(source);
  });
  const [first = '', , carets = ''] = (stderr ?? '').split('\n');
  const line = /^\[stdin\]:(\d+)$/.exec(first.trim())?.[1];
  if (!line) return undefined;
  const column = carets.indexOf('^');
  return `${file}:${line}${column >= 0 ? `:${column + 1}` : ''}`;
}
