import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Why the run's reports are not on disk whole, if they are not: results.json is written last by
 * its reporter with `complete: true`; missing, unreadable or partial, the reporters' warnings
 * above say what failed. A run whose every verdict passed but whose evidence was not written must
 * not exit 0: CI would read a green run from a folder without its results.
 */
export async function reportsNotWritten(outDir: string): Promise<string | undefined> {
  const file = join(outDir, 'results.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => `unreadable: ${error.code ?? error.message}`);
  if (text.startsWith('unreadable: ')) return `${file} is ${text}`;
  try {
    return (JSON.parse(text) as { complete?: unknown }).complete === true ? undefined : `${file} holds a partial run (complete is not true)`;
  } catch {
    return `${file} is not whole JSON`;
  }
}
