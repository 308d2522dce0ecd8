import { describe, expect, it } from 'vitest';
import { baselineLines, compareWithBaseline, phaseDurations } from '../../harness/report/baseline.js';
import { renderHtmlReport } from '../../harness/report/html-reporter.js';
import type { ScenarioResult } from '../../harness/scenario/result.js';
import { sampleResults } from '../helpers/sample-results.js';

const slower = (results: ScenarioResult[], scenario: string, phase: string, byMs: number): ScenarioResult[] =>
  results.map((r) => r.name !== scenario ? r : {
    ...r,
    boots: r.boots.map((b) => {
      const at = b.timeline[phase]!;
      return { ...b, timeline: Object.fromEntries(Object.entries(b.timeline).map(([p, t]) => [p, t > at ? t + byMs : t])) };
    }),
  });

describe('a run against its baseline', () => {
  const before = sampleResults('/old');

  it("times each phase from its moment to the next phase's", () => {
    const durations = phaseDurations(before[0]!.boots[0]!);
    expect(Object.fromEntries(durations)).toEqual({ firmware: 5_800, pxelinux: 25_200, kernel: 9_000, initrd: 30_000, 'fetch-root': 45_000, 'live-root': 32_000, system: 3_000 });
  });

  it('names the verdict changes, and the phases slower than the threshold (2 s at least)', () => {
    const now = slower(sampleResults('/new'), 'ram-deploy-http', 'fetch-root', 30_000).map((r) => (r.name === 'persistent-lifecycle' ? { ...r, verdict: 'PASS' as const } : r));
    const c = compareWithBaseline(now, { file: 'old/results.json', results: before }, 25);
    expect(c.verdictChanges).toEqual([{ scenario: 'persistent-lifecycle', before: 'FAIL', after: 'PASS' }]);
    expect(c.regressions).toEqual([{ scenario: 'ram-deploy-http', boot: 'network boot into RAM', phase: 'fetch-root', beforeMs: 45_000, afterMs: 75_000 }]);
    expect(baselineLines(c)).toEqual([
      'against the baseline old/results.json: 1 verdict change(s), 1 phase(s) more than 25 % slower',
      '  verdict persistent-lifecycle: FAIL -> PASS',
      '  slower ram-deploy-http / network boot into RAM: fetch-root 45.0 s -> 75.0 s (+67 %)',
    ]);
    // 1.5 s slower is noise whatever its percentage; without a threshold nothing regresses.
    expect(compareWithBaseline(slower(sampleResults('/new'), 'ram-deploy-http', 'system', 1_500), { file: 'f', results: before }, 10).regressions).toEqual([]);
    expect(compareWithBaseline(now, { file: 'f', results: before }).regressions).toEqual([]);
  });

  it('a scenario only in one of the runs is a change from or to absent', () => {
    const c = compareWithBaseline(sampleResults('/new').slice(0, 1), { file: 'f', results: before });
    expect(c.verdictChanges).toEqual([{ scenario: 'persistent-lifecycle', before: 'FAIL', after: 'absent' }]);
  });

  it('report.html has the comparison: the changes, the slower phases and the chart', async () => {
    const now = slower(sampleResults('/new'), 'ram-deploy-http', 'fetch-root', 30_000);
    const html = await renderHtmlReport(now, '/new', { baseline: { file: 'old/results.json', results: before, thresholdPct: 25 } });
    expect(html).toContain('<h2>Compared with the baseline</h2>');
    expect(html).toContain('ram-deploy-http / network boot into RAM: fetch-root 45.0 s -&gt; 75.0 s (+67 %)');
    expect(html).toMatch(/<svg class="baseline-chart"[^>]*>.*fill="#c62828"/s);
  });
});
