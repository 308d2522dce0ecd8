import { netbootFamilyById } from '../harness/netboot/index.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { attachTerminal } from '../harness/qemu/attach-terminal.js';
import { inputError } from '../harness/errors.js';
import { splitFirmware } from '../harness/engine/firmware-matrix.js';
import { runScenarios } from '../harness/engine/run-all.js';
import { loadScenarioFiles } from '../harness/scenario/scenario-files.js';
import { terminalReporter } from '../harness/report/terminal-reporter.js';
import { SCENARIOS } from '../scenarios/index.js';
import { parseFirmware, tlsAuthorityOption } from './flags.js';
import { exitCodeFor } from './exit-code.js';
import { commandArgs } from './command-args.js';
import { readReproduceSpec, REPRODUCE_FIX } from './reproduce-spec.js';
import { showUsage } from './usage.js';

const REPRODUCE_FLAGS = { out: { type: 'string', default: 'out-reproduce' } } as const;

/** The reproduce.json of a boot folder, or of the last boot of a scenario folder. */
function reproduceFile(dir: string): string {
  const file = join(dir, 'reproduce.json');
  if (existsSync(file)) return file;
  const boots = existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'reproduce.json'))).sort() : [];
  if (!boots.length) throw inputError(`${dir} holds no reproduce.json`, dir, 'pass a boot folder (or a scenario folder) from the output of pxe-harness run');
  return join(dir, boots.at(-1)!, 'reproduce.json');
}

/** reproduce DIR: the same boot again (the boots before it too), its console on this terminal. */
export async function reproduceCommand(argv: string[]): Promise<number> {
  const args = commandArgs('reproduce', argv, REPRODUCE_FLAGS, true);
  if (args === 'help') return showUsage();
  const { values, positionals } = parseArgs({ args, options: REPRODUCE_FLAGS, allowPositionals: true, strict: true });
  const dir = positionals[0];
  if (!dir || positionals.length > 1) throw inputError('reproduce takes one folder', positionals.join(' ') || '(none)', 'pass a boot folder of a run, e.g. out/ram-deploy-http/boot-1-network-boot-into-ram');
  const file = reproduceFile(dir);
  const spec = readReproduceSpec(file);
  const candidates = spec.scenarioFile ? await loadScenarioFiles([spec.scenarioFile], SCENARIOS) : SCENARIOS;
  const scenario = candidates.find((s) => s.name === splitFirmware(spec.scenario).scenario);
  if (!scenario) throw inputError(`scenario ${JSON.stringify(spec.scenario)} of ${file} is not known to this version`, file, 'reproduce with the pxe-harness version that made the run');
  if (spec.boot >= scenario.boots.length) throw inputError(`${file}: field boot is ${spec.boot}, but scenario ${scenario.name} has ${scenario.boots.length} boot(s)`, `${file} (boot)`, REPRODUCE_FIX);
  const [user = 'root', ...password] = spec.login.split(':');
  const tlsAuthority = await tlsAuthorityOption(spec.tlsCa);
  process.stdout.write(`reproducing ${scenario.name}, boot ${spec.boot + 1} of ${scenario.boots.length} (${scenario.boots[spec.boot]!.name}); boots before it run first\n`);
  const results = await runScenarios({
    isoPath: spec.iso,
    scenarios: [{ ...scenario, boots: scenario.boots.slice(0, spec.boot + 1) }],
    outDir: values.out,
    credentials: { user, password: password.join(':') },
    reporters: [terminalReporter()],
    attach: { when: spec.boot, terminal: attachTerminal },
    // Without one, the ISO's architecture's default firmware (as run without --firmware).
    ...(spec.firmware ? { firmware: parseFirmware(spec.firmware) } : {}),
    ...(spec.netboot ? { netboot: netbootFamilyById(spec.netboot) } : {}),
    ...(tlsAuthority ? { tlsAuthority } : {}),
  });
  return exitCodeFor(results);
}
