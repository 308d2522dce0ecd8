import { parseArgs, type ParseArgsConfig } from 'node:util';
import { inputError } from '../harness/errors.js';
import { closest } from '../harness/util/closest.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Token = NonNullable<ReturnType<typeof parseArgs>['tokens']>[number];

/**
 * A command's arguments checked before node's parseArgs reads them, each refusal one line that
 * names the bad argument and the fix (not node's message and the whole usage):
 *  - an unknown option, with the closest known one ("did you mean --memory-mb?");
 *  - a value option without its value (at the end, or followed by another --option);
 *  - a value given to an on/off option, an argument where the command takes none.
 * A value that starts with a single '-' is the option's own (`--jobs -1`: the flag's check then
 * says what is wrong with -1, where parseArgs would call it ambiguous): the arguments come back
 * with every value joined to its option (`--jobs=-1`). 'help' when --help or -h is asked for.
 */
export function commandArgs(command: string, argv: readonly string[], options: Options, allowPositionals = false): string[] | 'help' {
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  if (tokens.some((t) => t.kind === 'option' && (t.name === 'help' || t.name === 'h') && !(t.name in options))) return 'help';
  const args: string[] = [];
  for (const token of tokens) {
    refuseToken(command, token, options, allowPositionals);
    if (token.kind === 'option-terminator') args.push('--');
    else if (token.kind === 'positional') args.push(token.value);
    else args.push(token.value === undefined ? `--${token.name}` : `--${token.name}=${token.value}`);
  }
  return args;
}

const help = (command: string) => `pxe-harness ${command} --help`;

function refuseToken(command: string, token: Token, options: Options, allowPositionals: boolean): void {
  if (token.kind === 'positional' && !allowPositionals) {
    const near = closest(token.value.replace(/^-*/, ''), Object.keys(options));
    const fix = near ? `did you mean --${near}? (${help(command)} lists the options)` : `${command} takes options only: see ${help(command)}`;
    throw inputError(`${command} takes no argument ${JSON.stringify(token.value)}`, token.value, fix);
  }
  if (token.kind !== 'option') return;
  const option = options[token.name];
  if (!option) {
    const near = closest(token.name, Object.keys(options));
    const fix = near ? `did you mean --${near}? (${help(command)} lists the options)` : `${help(command)} lists the options: ${Object.keys(options).map((o) => `--${o}`).join(', ')}`;
    throw inputError(`unknown option ${token.rawName} of ${command}`, token.rawName, fix);
  }
  if (option.type === 'boolean' && token.inlineValue) {
    throw inputError(`${token.rawName} takes no value, got ${JSON.stringify(`${token.rawName}=${token.value}`)}`, `${token.rawName}=${token.value}`, `pass ${token.rawName} alone`);
  }
  if (option.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))) {
    const next = token.value === undefined ? 'at the end' : `before ${token.value}`;
    throw inputError(`${token.rawName} needs a value, got none ${next}`, token.rawName, `pass ${token.rawName} VALUE (${help(command)}); a value that starts with -- goes as ${token.rawName}=VALUE`);
  }
}
