import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError } from '../harness/errors.js';

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

/** init [FILE]: writes the starter scenario; never over an existing file. */
export async function initScenarioFile(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
  if (positionals.length > 1) throw inputError('init takes at most one file name', positionals.join(' '), 'pass e.g. pxe-harness init my-iso.scenario.ts');
  const file = resolve(positionals[0] ?? 'my-iso.scenario.ts');
  if (!/\.(?:ts|mts)$/.test(file)) throw inputError(`init writes a TypeScript file, got ${JSON.stringify(file)}`, file, 'name it *.ts, e.g. my-iso.scenario.ts');
  if (existsSync(file)) throw inputError(`${file} already exists`, file, 'pass another file name, or remove the file');
  await writeFile(file, STARTER_SCENARIO.replace('${FILE}', positionals[0] ?? 'my-iso.scenario.ts'));
  process.stdout.write(`wrote ${file}: edit it, then run\n  pxe-harness run --iso YOUR.iso --scenarios ${file}\n`);
  return 0;
}
