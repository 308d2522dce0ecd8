import type { BootResult, ScenarioResult, Verdict } from '../scenario/result.js';

/*
 * A run against an earlier one (--baseline results.json): what changed verdict, and which phase of
 * which boot got slower. Phases are the boot's own timeline (firmware, the loader, kernel, initrd,
 * fetch-root, live-root, system, login): a phase lasts from the moment it was reached to the moment
 * the next one was.
 */

/** An earlier run to compare with: its results.json's results, and the regression threshold asked for. */
export interface Baseline {
  file: string;
  results: readonly ScenarioResult[];
  thresholdPct?: number;
}

export interface VerdictChange {
  scenario: string;
  before: Verdict | 'absent';
  after: Verdict | 'absent';
}

export interface PhaseTime {
  scenario: string;
  boot: string;
  phase: string;
  beforeMs: number;
  afterMs: number;
}

export interface BaselineComparison {
  /** The baseline's results.json, as given. */
  file: string;
  verdictChanges: VerdictChange[];
  /** Every phase both runs timed, for the report's chart. */
  phases: PhaseTime[];
  /** The phases slower than the threshold allows (none without a threshold). */
  regressions: PhaseTime[];
  /** The threshold: a phase regresses when it took more than this many percent longer (and at least MIN_SLOWER_MS). */
  thresholdPct?: number;
}

/** Below this a phase's change is TCG's noise (a timer tick, a slower host second), whatever its percentage. */
export const MIN_SLOWER_MS = 2_000;

/** Each phase's duration in a boot: from its moment in the timeline to the next phase's. */
export function phaseDurations(boot: Pick<BootResult, 'timeline'>): Map<string, number> {
  const reached = Object.entries(boot.timeline).sort((a, b) => a[1] - b[1]);
  const durations = new Map<string, number>();
  reached.forEach(([phase, at], i) => {
    const next = reached[i + 1];
    if (next) durations.set(phase, next[1] - at);
  });
  return durations;
}

const slowerThan = (t: PhaseTime, pct: number) => t.afterMs - t.beforeMs >= MIN_SLOWER_MS && t.afterMs > t.beforeMs * (1 + pct / 100);

export function compareWithBaseline(results: readonly ScenarioResult[], baseline: Pick<Baseline, 'file' | 'results'>, thresholdPct?: number): BaselineComparison {
  const before = new Map(baseline.results.map((r) => [r.name, r]));
  const names = [...new Set([...results.map((r) => r.name), ...before.keys()])];
  const now = new Map(results.map((r) => [r.name, r]));
  const verdictChanges = names
    .map((scenario) => ({ scenario, before: before.get(scenario)?.verdict ?? ('absent' as const), after: now.get(scenario)?.verdict ?? ('absent' as const) }))
    .filter((c) => c.before !== c.after);
  const phases: PhaseTime[] = [];
  for (const r of results) {
    const old = before.get(r.name);
    if (!old) continue;
    for (const boot of r.boots) {
      const oldBoot = old.boots.find((b) => b.name === boot.name);
      if (!oldBoot) continue;
      const was = phaseDurations(oldBoot);
      for (const [phase, afterMs] of phaseDurations(boot)) {
        const beforeMs = was.get(phase);
        if (beforeMs !== undefined) phases.push({ scenario: r.name, boot: boot.name, phase, beforeMs, afterMs });
      }
    }
  }
  const regressions = thresholdPct === undefined ? [] : phases.filter((t) => slowerThan(t, thresholdPct));
  return { file: baseline.file, verdictChanges, phases, regressions, ...(thresholdPct === undefined ? {} : { thresholdPct }) };
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (t: PhaseTime) => `${t.afterMs >= t.beforeMs ? '+' : ''}${Math.round(((t.afterMs - t.beforeMs) / Math.max(1, t.beforeMs)) * 100)} %`;

/** A phase's change in words: "ram-deploy-http / network boot into RAM: fetch-root 12.0 s -> 18.3 s (+52 %)". */
export const describePhaseTime = (t: PhaseTime) => `${t.scenario} / ${t.boot}: ${t.phase} ${s(t.beforeMs)} -> ${s(t.afterMs)} (${pct(t)})`;

/** The comparison for the terminal: one line per verdict change and per regression. */
export function baselineLines(c: BaselineComparison): string[] {
  const lines = [`against the baseline ${c.file}: ${c.verdictChanges.length} verdict change(s)${c.thresholdPct === undefined ? '' : `, ${c.regressions.length} phase(s) more than ${c.thresholdPct} % slower`}`];
  for (const v of c.verdictChanges) lines.push(`  verdict ${v.scenario}: ${v.before} -> ${v.after}`);
  for (const t of c.regressions) lines.push(`  slower ${describePhaseTime(t)}`);
  return lines;
}
