import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/**
 * The names in one folder of the ISO, read with xorriso (no mount); none when the folder is not
 * there. xorriso -ls prints the folder's own path line, then each name in single quotes (a quote
 * inside a name as '"'"').
 */
export async function listIsoFolder(isoPath: string, folder: string): Promise<string[]> {
  const xorriso = await requireTool('xorriso');
  const result = await execa(xorriso, ['-indev', isoPath, '-ls', folder], { reject: false, stderr: 'ignore' });
  if (result.exitCode !== 0) return [];
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.startsWith("'") && !line.endsWith("':"))
    .map((line) => line.slice(1, -1).replaceAll(`'"'"'`, "'"));
}
