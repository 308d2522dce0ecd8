#!/usr/bin/env node
import { setGracefulCleanup } from 'tmp-promise';
import { inputError, isHarnessError } from '../harness/errors.js';
import { surviveClosedOutput } from './closed-output.js';
import { examineHost, formatFindings } from './doctor.js';
import { initScenarioFile } from './init.js';
import { listCommand } from './list-command.js';
import { reproduceCommand } from './reproduce-command.js';
import { runCommand } from './run-command.js';
import { USAGE } from './usage.js';

async function doctorCommand(): Promise<number> {
  const findings = await examineHost();
  process.stdout.write(formatFindings(findings) + '\n');
  return findings.every((f) => f.ok) ? 0 : 2;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case 'reproduce':
      return reproduceCommand(rest);
    case 'doctor':
      return doctorCommand();
    case 'list':
      return listCommand(rest);
    case 'init':
      return initScenarioFile(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      throw inputError(`unknown command ${JSON.stringify(command)}`, command, 'use run, list, reproduce or doctor (pxe-harness --help)');
  }
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
