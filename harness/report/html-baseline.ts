import { describePhaseTime, type BaselineComparison, type PhaseTime } from './baseline.js';
import { esc } from './html-text.js';

/** The boots both runs timed, each with its phases' before and after durations. */
function bootsOf(phases: readonly PhaseTime[]): Map<string, PhaseTime[]> {
  const boots = new Map<string, PhaseTime[]>();
  for (const t of phases) {
    const key = `${t.scenario} / ${t.boot}`;
    boots.set(key, [...(boots.get(key) ?? []), t]);
  }
  return boots;
}

/** Two stacked bars per boot (the baseline's above, this run's below), a segment per phase, on one time scale. */
function chart(phases: readonly PhaseTime[], regressed: ReadonlySet<PhaseTime>): string {
  const boots = [...bootsOf(phases)];
  if (!boots.length) return '';
  const width = 900;
  const label = 260;
  const longest = Math.max(1, ...boots.map(([, ts]) => Math.max(ts.reduce((a, t) => a + t.beforeMs, 0), ts.reduce((a, t) => a + t.afterMs, 0))));
  const scale = (ms: number) => (ms / longest) * (width - label - 10);
  const rows = boots.map(([name, ts], i) => {
    const y = i * 44;
    const bar = (key: 'beforeMs' | 'afterMs', dy: number) => {
      let x = label;
      return ts.map((t, p) => {
        const w = Math.max(1, scale(t[key]));
        const seg = `<rect x="${x.toFixed(1)}" y="${y + dy}" width="${w.toFixed(1)}" height="16" fill="${key === 'afterMs' && regressed.has(t) ? '#c62828' : p % 2 ? '#90a4ae' : '#607d8b'}"><title>${esc(`${t.phase}: ${(t[key] / 1000).toFixed(1)} s`)}</title></rect>`;
        x += w;
        return seg;
      }).join('');
    };
    return `<text x="0" y="${y + 13}" font-size="11">${esc(name.slice(0, 44))}</text><text x="0" y="${y + 31}" font-size="10" fill="#555">baseline / this run</text>${bar('beforeMs', 2)}${bar('afterMs', 20)}`;
  });
  const height = boots.length * 44;
  return `<svg class="baseline-chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${rows.join('')}</svg>`;
}

/** The report's section comparing this run with the baseline: verdict changes, regressions, the chart. */
export function baselineSection(c: BaselineComparison | undefined): string {
  if (!c) return '';
  const changes = c.verdictChanges.map((v) => `<li><a href="#${esc(v.scenario)}">${esc(v.scenario)}</a>: ${esc(v.before)} → <b>${esc(v.after)}</b></li>`).join('');
  const regressed = new Set(c.regressions);
  const slower = c.regressions.map((t) => `<li>${esc(describePhaseTime(t))}</li>`).join('');
  const threshold = c.thresholdPct === undefined ? 'no regression threshold was set (--regression-threshold PCT)' : `a phase regresses when it takes more than ${c.thresholdPct} % longer (and 2 s or more)`;
  return `<section id="baseline"><h2>Compared with the baseline</h2>
<p>Baseline: <code>${esc(c.file)}</code>; ${esc(threshold)}.</p>
<h3>Verdict changes (${c.verdictChanges.length})</h3><ul>${changes || '<li>none</li>'}</ul>
<h3>Slower phases (${c.regressions.length})</h3><ul>${slower || '<li>none</li>'}</ul>
${chart(c.phases, regressed)}</section>`;
}
