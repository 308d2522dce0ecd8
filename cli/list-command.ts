import { parseArgs } from 'node:util';
import type { ScenarioDefinition } from '../harness/scenario/define-scenario.js';
import { commandArgs } from './command-args.js';
import { selectScenarios, SELECTION_FLAGS } from './select-scenarios.js';
import { showUsage } from './usage.js';

const LIST_FLAGS = { ...SELECTION_FLAGS, json: { type: 'boolean', default: false } } as const;

/**
 * list: the scenarios a run with the same selection flags would boot, and what each proves; with
 * --json, one array of { name, summary, boots, file } for scripts.
 */
export async function listCommand(argv: string[]): Promise<number> {
  const args = commandArgs('list', argv, LIST_FLAGS);
  if (args === 'help') return showUsage();
  const { values } = parseArgs({ args, options: LIST_FLAGS, strict: true });
  const scenarios = await selectScenarios(values);
  process.stdout.write(values.json ? `${JSON.stringify(scenarios.map(describe), null, 2)}\n` : table(scenarios));
  return 0;
}

const describe = (s: ScenarioDefinition) => ({ name: s.name, summary: s.summary, boots: s.boots.map((b) => b.name), ...(s.sourceFile ? { file: s.sourceFile } : {}) });

function table(scenarios: readonly ScenarioDefinition[]): string {
  const width = Math.max(0, ...scenarios.map((s) => s.name.length));
  return scenarios.map((s) => `${s.name.padEnd(width)}  ${s.summary}${s.sourceFile ? `  (${s.sourceFile})` : ''}\n`).join('');
}
