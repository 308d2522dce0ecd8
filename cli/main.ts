#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { inputError, isHarnessError } from '../harness/errors.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { jsonReporter } from '../harness/report/json-reporter.js';
import { terminalReporter } from '../harness/report/terminal-reporter.js';
import { runScenarios } from '../harness/runner/run-all.js';
import type { ScenarioResult } from '../harness/runner/result.js';
import { SCENARIOS } from '../scenarios/index.js';

const USAGE = `usage:
  pxe-harness run [--iso PATH] [--scenario NAME]... [--out DIR] [--login USER:PASSWORD]
                  [--boot-timeout-s N] [--memory-mb N] [--cpus N] [--keep-temp]
  pxe-harness list

run     boots each scenario (all by default) and prints one line per scenario:
        verdict, name, seconds, reason. Without --iso it uses the built-in fixture ISO
        (built on first use by images/build-fixture.sh, as root).
        Exit status: 0 all passed, 1 a scenario failed, 2 bad input or a broken host.
list    prints the scenarios and what each proves.`;

/** Exit codes: 0 all passed, 1 a scenario failed, 2 bad input, a broken host or a harness error. */
export function exitCodeFor(results: ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'ERROR')) return 2;
  if (results.some((r) => r.verdict === 'FAIL')) return 1;
  return 0;
}

function positiveInteger(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw inputError(`--${name} must be a positive whole number, got ${JSON.stringify(value)}`, `--${name} ${value}`, `pass e.g. --${name} 2`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      iso: { type: 'string' },
      scenario: { type: 'string', multiple: true },
      out: { type: 'string', default: 'out' },
      login: { type: 'string' },
      'boot-timeout-s': { type: 'string' },
      'memory-mb': { type: 'string' },
      cpus: { type: 'string' },
      'keep-temp': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const known = new Map(SCENARIOS.map((s) => [s.name, s]));
  const selected = (values.scenario ?? [...known.keys()]).map((name) => {
    const scenario = known.get(name);
    if (!scenario) throw inputError(`unknown scenario ${JSON.stringify(name)}`, `--scenario ${name}`, `choose one of: ${[...known.keys()].join(', ')} (pxe-harness list)`);
    return scenario;
  });
  let credentials;
  if (values.login !== undefined) {
    const [user, ...rest] = values.login.split(':');
    if (!user || rest.length === 0) throw inputError(`--login must be USER:PASSWORD, got ${JSON.stringify(values.login)}`, `--login ${values.login}`, 'pass e.g. --login root:linux');
    credentials = { user, password: rest.join(':') };
  }
  const bootTimeoutS = positiveInteger('boot-timeout-s', values['boot-timeout-s']);
  const memoryMb = positiveInteger('memory-mb', values['memory-mb']);
  const cpus = positiveInteger('cpus', values.cpus);

  const isoPath = values.iso ?? (await fixtureIsoPath());
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the boot and cleaning up\n`);
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const outDir = values.out!;
  const results = await runScenarios({
    isoPath,
    scenarios: selected,
    outDir,
    ...(credentials ? { credentials } : {}),
    ...(bootTimeoutS ? { bootTimeoutMs: bootTimeoutS * 1000 } : {}),
    ...(memoryMb ? { memoryMb } : {}),
    ...(cpus ? { cpus } : {}),
    keepTemp: values['keep-temp'],
    reporters: [terminalReporter(undefined, { progress: true }), jsonReporter(outDir, { iso: isoPath })],
    signal: controller.signal,
  });
  if (controller.signal.aborted) return 130;
  return exitCodeFor(results);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return run(rest);
    case 'list':
      for (const s of SCENARIOS) process.stdout.write(`${s.name.padEnd(24)} ${s.summary}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw inputError(`unknown command ${JSON.stringify(command)}`, command, 'use run or list (pxe-harness --help)');
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isHarnessError(error)) process.stderr.write(`pxe-harness: ${error.details}\n`);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`pxe-harness: ${error.message}\n${USAGE}\n`);
    else process.stderr.write(`pxe-harness: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(2);
  },
);
