import { pathToFileURL } from 'node:url';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Where in a user's file an error was thrown, as FILE:LINE:COLUMN (LINE alone when that is all
 * node says): the position a syntax error names at the start of its message or stack, else the
 * first frame of the stack in that file (source-mapped back to the TypeScript when source maps are
 * on, see loadScenarioFiles). Undefined when the file is on no frame (thrown in a file it imports).
 */
export function throwSite(error: unknown, file: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const names = `(?:${escape(pathToFileURL(file).href)}|${escape(file)})`;
  const position = new RegExp(`${names}:(\\d+)(?::(\\d+))?`);
  // The TypeScript hook's syntax error starts with FILE:LINE:COLUMN; node's own starts its stack with FILE:LINE.
  const named = position.exec(error.message) ?? position.exec((error.stack ?? '').split('\n')[0] ?? '');
  const frame = named ?? (error.stack ?? '').split('\n').map((line) => (/^\s+at /.test(line) ? position.exec(line) : null)).find(Boolean);
  if (!frame) return undefined;
  return `${file}:${frame[1]}${frame[2] ? `:${frame[2]}` : ''}`;
}

/** The error's message without the position it starts with (the hook's syntax errors name it first). */
export const withoutSite = (message: string, file: string) => (message.startsWith(`${file}:`) ? message.slice(file.length).replace(/^:\d+(?::\d+)?: /, '') : message);
