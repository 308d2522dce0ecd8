import { inputError } from '../harness/errors.js';
import type { RunObserver } from '../harness/engine/run-observer.js';
import { conformanceReporter } from '../harness/report/conformance.js';
import { htmlReporter } from '../harness/report/html-reporter.js';
import { jsonReporter } from '../harness/report/json-reporter.js';
import { junitReporter } from '../harness/report/junit-reporter.js';
import { terminalReporter } from '../harness/report/terminal-reporter.js';
import { closest } from '../harness/util/closest.js';
import type { Baseline } from '../harness/report/baseline.js';

/** What the reports say about the run beyond its results: the ISO, its project (runs of several ISOs), and the harness's and QEMU's versions. */
export type RunMeta = { iso: string; project?: string } & Record<string, unknown>;

/**
 * A project's terminal lines: each begins with its name, and none is redrawn (the projects of
 * a run each have a reporter, and two live status lines would overwrite each other).
 */
const projectLines = (project: string | undefined) => ({ live: false, ...(project ? { prefix: project } : {}) });

interface ReporterChoice {
  what: string;
  make(outDir: string, meta: RunMeta, baseline: Baseline | undefined): RunObserver;
}

/** The reporters of a run (--reporter NAME,...), each by its name; the multiplexer isolates them. */
export const RUN_REPORTERS: Record<string, ReporterChoice> = {
  terminal: { what: 'one line per verdict, with a live status line on a terminal', make: (_, meta) => terminalReporter(undefined, meta.project === undefined ? undefined : projectLines(meta.project)) },
  line: { what: 'one plain line per boot start, phase and verdict, never redrawn (for logs)', make: (_, meta) => terminalReporter(undefined, { ...projectLines(meta.project), live: false }) },
  json: { what: 'results.json and one result.json per scenario', make: (outDir, meta, baseline) => jsonReporter(outDir, meta, baseline ? { baseline } : {}) },
  junit: { what: 'junit.xml', make: (outDir) => junitReporter(outDir) },
  html: { what: 'report.html, one file that opens offline', make: (outDir, meta, baseline) => htmlReporter(outDir, { iso: meta.iso, ...(baseline ? { baseline } : {}) }) },
  conformance: { what: 'conformance.md: what the seed documents against what the boots showed', make: (outDir) => conformanceReporter(outDir) },
};

/** Every reporter but `line`, as before --reporter existed. */
export const DEFAULT_REPORTERS = ['terminal', 'json', 'junit', 'html', 'conformance'] as const;

/** --reporter: names from RUN_REPORTERS, comma-separated; terminal and line both write the terminal, so one of them. */
export function parseReporters(value: string | undefined): string[] {
  if (value === undefined) return [...DEFAULT_REPORTERS];
  const names = [...new Set(value.split(','))];
  const unknown = names.find((n) => !Object.hasOwn(RUN_REPORTERS, n));
  if (unknown !== undefined) {
    const near = closest(unknown, Object.keys(RUN_REPORTERS));
    throw inputError(`--reporter knows no reporter ${JSON.stringify(unknown)}`, `--reporter ${value}`, `${near ? `did you mean ${near}? ` : ''}choose from: ${Object.keys(RUN_REPORTERS).join(', ')} (several with commas)`);
  }
  if (names.includes('terminal') && names.includes('line')) throw inputError('--reporter takes terminal or line, not both: both write to the terminal', `--reporter ${value}`, 'pass one of them');
  return names;
}

export const makeReporters = (names: readonly string[], outDir: string, meta: RunMeta, baseline?: Baseline): RunObserver[] => names.map((n) => RUN_REPORTERS[n]!.make(outDir, meta, baseline));
