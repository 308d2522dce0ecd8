import { open, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError } from '../harness/errors.js';
import { commandArgs } from './command-args.js';
import { showUsage } from './usage.js';

/** The starter scenario `pxe-harness init` writes: every part commented, ready to edit. */
export const STARTER_SCENARIO = `// A scenario of your own for pxe-harness: what your ISO promises, checked on a real network boot.
// Run it:   pxe-harness run --iso YOUR.iso --scenarios ${'${FILE}'} [--login USER:PASSWORD]
// Types:    with pxe-harness installed in your project, \`tsc --noEmit\` checks this file.
import { check, defineScenario } from 'pxe-harness';

export default defineScenario({
  // Lower-case words joined by '-': the name of the result, its output folder, its JUnit test case.
  name: 'my-iso-promises',
  summary: 'my ISO boots from the network into RAM and keeps its promises',
  // How the ISO is published to the guest: http, https or ftp (servers the harness starts itself).
  publish: { protocol: 'http' },
  // needsLogin: false,  // when the ISO's serial console has no login you can use: console evidence only
  boots: [
    {
      name: 'network boot into RAM',
      from: 'network',
      // What the live module is asked to do; its kernel options are spelled for you, e.g.
      // live: { system: '/dev/sda', persistent: { cowfs: 'xfs' } } with disks: [...] above.
      // kernelArgs: ['rd.debug'],  // extra kernel options, verbatim
      checks: [
        // The harness's own proof that the ISO arrived whole, and where the live system runs from.
        check.isoTransferredOnce(),
        check.liveImageMatchesPublished('ram'),
        // Your ISO's promises (each names what it asked and what it saw in the report):
        check.commandSucceeds('cat /etc/os-release', { output: /NAME=/ }),
        check.fileContains('/etc/hostname', /\\S/),
        check.unitIs('systemd-journald.service', 'active'),
        check.consoleShows(/Reached target .*Multi-User/),
        check.loginWithinMs(300_000),
        // A check of your own: any object with a name and an async run(context).
        {
          name: 'the kernel command line carries the boot entry',
          async run({ shell }) {
            const result = await (await shell()).run('cat /proc/cmdline');
            return { ok: result.output.includes('root=live:'), detail: result.output };
          },
        },
      ],
    },
  ],
});
`;

/** Why a file cannot be made, by the error's code, and what to do about it. */
const REFUSALS: Record<string, { reason: string; fix: string }> = {
  EEXIST: { reason: 'already exists', fix: 'pass another file name, or remove the file' },
  EISDIR: { reason: 'is a folder', fix: 'pass a file name, e.g. FOLDER/my-iso.scenario.ts' },
  ENOENT: { reason: 'is in a folder that does not exist', fix: 'make the folder first, or pass a file in an existing folder' },
  /** ENOENT in a folder that exists: one that takes no new files (/proc, /sys). */
  ENOENT_HERE: { reason: 'cannot be made: its folder takes no new files', fix: 'pass a file in a folder of your own, e.g. the current one' },
  ENOTDIR: { reason: 'is below a file, not a folder', fix: 'pass a file in an existing folder' },
  EACCES: { reason: 'is in a folder you may not write to', fix: 'pass a file in a folder you can write to, e.g. the current one' },
  EPERM: { reason: 'is in a folder you may not write to', fix: 'pass a file in a folder you can write to, e.g. the current one' },
  EROFS: { reason: 'is on a read-only file system', fix: 'pass a file on a writable file system, e.g. in the current folder' },
  ENOSPC: { reason: 'does not fit: the disk is full', fix: 'free space there, or pass a file on another disk' },
};

/** The starter file written, never over an existing file nor half written: a refusal leaves nothing behind. */
async function writeStarter(file: string, text: string): Promise<void> {
  let created = false;
  try {
    if ((await stat(file).catch(() => undefined))?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    const handle = await open(file, 'wx');
    created = true;
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    if (created) await rm(file, { force: true });
    const raw = (cause as NodeJS.ErrnoException).code ?? '';
    const code = raw === 'ENOENT' && (await stat(dirname(file)).catch(() => undefined))?.isDirectory() ? 'ENOENT_HERE' : raw;
    const refusal = REFUSALS[code] ?? { reason: `cannot be written: ${(cause as Error).message}`, fix: 'pass a file name in a folder you can write to, e.g. my-iso.scenario.ts' };
    throw inputError(`init cannot write: ${file} ${refusal.reason}${raw && REFUSALS[code] ? ` (${raw})` : ''}`, file, refusal.fix);
  }
}

/** init [FILE]: writes the starter scenario; never over an existing file. */
export async function initScenarioFile(argv: string[]): Promise<number> {
  const args = commandArgs('init', argv, {}, true);
  if (args === 'help') return showUsage();
  const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 1) throw inputError('init takes at most one file name', positionals.join(' '), 'pass e.g. pxe-harness init my-iso.scenario.ts');
  const file = resolve(positionals[0] ?? 'my-iso.scenario.ts');
  if (!/\.(?:ts|mts)$/.test(file)) throw inputError(`init writes a TypeScript file, got ${JSON.stringify(file)}`, file, 'name it *.ts, e.g. my-iso.scenario.ts');
  await writeStarter(file, STARTER_SCENARIO.replace('${FILE}', positionals[0] ?? 'my-iso.scenario.ts'));
  process.stdout.write(`wrote ${file}: edit it, then run\n  pxe-harness run --iso YOUR.iso --scenarios ${file}\n`);
  return 0;
}
