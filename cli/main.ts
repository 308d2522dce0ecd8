#!/usr/bin/env node
import { setGracefulCleanup } from 'tmp-promise';
import { closest } from '../harness/util/closest.js';
import { inputError, isHarnessError } from '../harness/errors.js';
import { surviveClosedOutput } from './closed-output.js';
import { examineHost, formatFindings } from './doctor.js';
import { initScenarioFile } from './init.js';
import { listCommand } from './list-command.js';
import { reproduceCommand } from './reproduce-command.js';
import { runCommand } from './run-command.js';
import { mergeCommand } from './merge-command.js';
import { inspectCommand } from './inspect-command.js';
import { harnessVersion } from './run-meta.js';
import { USAGE } from './usage.js';

async function doctorCommand(): Promise<number> {
  const findings = await examineHost();
  process.stdout.write(formatFindings(findings) + '\n');
  return findings.every((f) => f.ok) ? 0 : 2;
}

/** The version of the installed package, as npm and the reports know it. */
async function versionCommand(): Promise<number> {
  process.stdout.write(`pxe-harness ${await harnessVersion()}\n`);
  return 0;
}

const COMMANDS: Record<string, (rest: string[]) => Promise<number>> = {
  run: runCommand,
  list: listCommand,
  init: initScenarioFile,
  reproduce: reproduceCommand,
  merge: mergeCommand,
  inspect: inspectCommand,
  doctor: doctorCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(COMMANDS, command)) return COMMANDS[command]!(rest);
  if (command === '--version' || command === '-V' || command === 'version') return versionCommand();
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  const near = closest(command, Object.keys(COMMANDS));
  const fix = `${near ? `did you mean ${near}? ` : ''}the commands are ${Object.keys(COMMANDS).join(', ')} (pxe-harness --help)`;
  throw inputError(`unknown command ${JSON.stringify(command)}`, command, fix);
}

setGracefulCleanup();
surviveClosedOutput();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isHarnessError(error)) process.stderr.write(`pxe-harness: ${error.details}\n`);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`pxe-harness: ${error.message.split('\n')[0]}\n  fix: see pxe-harness --help\n`);
    else process.stderr.write(`pxe-harness: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(2);
  },
);
