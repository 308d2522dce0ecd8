import { inputError } from '../harness/errors.js';
import type { ScenarioDefinition } from '../harness/scenario/define-scenario.js';
import { loadScenarioFiles } from '../harness/scenario/scenario-files.js';
import { closest } from '../harness/util/closest.js';
import { SCENARIOS } from '../scenarios/index.js';
import { parseShard } from './flags.js';

/** The flags that select scenarios, the same for run and list. */
export const SELECTION_FLAGS = {
  scenarios: { type: 'string', multiple: true },
  scenario: { type: 'string', multiple: true },
  grep: { type: 'string' },
  'grep-invert': { type: 'string' },
  shard: { type: 'string' },
} as const;

export interface SelectionValues {
  scenarios?: string[] | undefined;
  scenario?: string[] | undefined;
  grep?: string | undefined;
  'grep-invert'?: string | undefined;
  shard?: string | undefined;
}

/**
 * The scenarios a run boots, or list shows. Without --scenarios: the built-in ones; with
 * --scenarios FILE|DIR: the user's instead. --scenario NAME (an exact name or a glob: `ram-*`)
 * picks among both, in the order given; --grep and --grep-invert keep the scenarios whose name or
 * summary matches (a regular expression, as Playwright's --grep); --shard I/N then takes every
 * N-th. A selection of nothing is refused: a CI job that boots nothing must not pass.
 */
export async function selectScenarios(values: SelectionValues): Promise<ScenarioDefinition[]> {
  const files = values.scenarios ?? [];
  const own = files.length ? await loadScenarioFiles(files, SCENARIOS) : [];
  const pool = files.length ? own : [...SCENARIOS];
  const named = values.scenario ? pickByName(values.scenario, [...SCENARIOS, ...own]) : pool;
  const grep = pattern('grep', values.grep);
  const invert = pattern('grep-invert', values['grep-invert']);
  const text = (s: ScenarioDefinition) => `${s.name} ${s.summary}`;
  const kept = named.filter((s) => (!grep || grep.test(text(s))) && (!invert || !invert.test(text(s))));
  if (named.length && !kept.length) {
    const asked = [values.grep && `--grep ${values.grep}`, values['grep-invert'] && `--grep-invert ${values['grep-invert']}`].filter(Boolean).join(' ');
    throw inputError(`no scenario matches ${asked}`, asked, 'the pattern is a regular expression tested against each name and summary: see pxe-harness list');
  }
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  return shard ? kept.filter((_, i) => i % shard.count === shard.index - 1) : kept;
}

/** --scenario NAME...: exact names or globs (* any run of characters, ? one), each matching at least one. */
function pickByName(names: readonly string[], known: readonly ScenarioDefinition[]): ScenarioDefinition[] {
  const picked = new Set<ScenarioDefinition>();
  for (const name of names) {
    const glob = /[*?]/.test(name) ? new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`) : undefined;
    const matches = known.filter((s) => (glob ? glob.test(s.name) : s.name === name));
    if (!matches.length) throw unknownScenario(name, known, Boolean(glob));
    for (const s of matches) picked.add(s);
  }
  return [...picked];
}

function unknownScenario(name: string, known: readonly ScenarioDefinition[], glob: boolean): Error {
  const near = glob ? undefined : closest(name, known.map((s) => s.name));
  const fix = near ? `did you mean ${near}? (pxe-harness list shows them all)` : `choose one of: ${known.map((s) => s.name).join(', ')} (pxe-harness list)`;
  return inputError(glob ? `no scenario matches ${JSON.stringify(name)}` : `unknown scenario ${JSON.stringify(name)}`, `--scenario ${name}`, fix);
}

function pattern(flag: string, value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value, 'i');
  } catch (cause) {
    throw inputError(`--${flag} must be a regular expression, got ${JSON.stringify(value)} (${(cause as Error).message})`, `--${flag} ${value}`, `pass e.g. --${flag} 'ram-deploy|https'`, cause);
  }
}
