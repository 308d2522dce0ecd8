import { parseArgs } from 'node:util';
import { loadScenarioFiles } from '../harness/scenario/scenario-files.js';
import { SCENARIOS } from '../scenarios/index.js';
import { commandArgs } from './command-args.js';
import { showUsage } from './usage.js';

const LIST_FLAGS = { scenarios: { type: 'string', multiple: true } } as const;

/** list [--scenarios FILE|DIR]...: every scenario a run could boot, and what each proves. */
export async function listCommand(argv: string[]): Promise<number> {
  const args = commandArgs('list', argv, LIST_FLAGS);
  if (args === 'help') return showUsage();
  const { values } = parseArgs({ args, options: LIST_FLAGS, strict: true });
  const own = values.scenarios?.length ? await loadScenarioFiles(values.scenarios, SCENARIOS) : [];
  const all = [...SCENARIOS, ...own];
  const width = Math.max(...all.map((s) => s.name.length));
  for (const s of all) process.stdout.write(`${s.name.padEnd(width)}  ${s.summary}${s.sourceFile ? `  (${s.sourceFile})` : ''}\n`);
  return 0;
}
