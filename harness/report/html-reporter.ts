import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { conformanceOutcomes } from './conformance.js';
import { writeReportFile } from './report-file.js';
import type { Reporter } from './reporter.js';
import type { BootResult, ScenarioResult } from '../scenario/result.js';
import { TRANSFER_EVENT_ID, type TimelineEvent } from '../engine/timeline.js';
import { describeDiskEvidence } from '../disk/disk-evidence.js';
import { describeTransfer } from '../publish/transfer-log.js';

import { compareWithBaseline, type Baseline } from './baseline.js';
import { baselineSection } from './html-baseline.js';
import { BROWSE_SCRIPT, BROWSE_STYLE, filterBar } from './html-browse.js';
import { esc } from './html-text.js';
import { isoFactsSection } from './html-iso-facts.js';
import type { IsoFacts } from '../engine/run-observer.js';

/**
 * Phase bars are coloured by their place in the boot, early grey to late orange, whoever added the
 * phase (firmware, loader, live module): no phase is named here. Transfers are red, which no
 * phase gets.
 */
export const PHASE_COLORS: readonly string[] = ['#9e9e9e', '#8d6e63', '#5c6bc0', '#42a5f5', '#26a69a', '#66bb6a', '#d4e157', '#ffa726'];
const TRANSFER_COLOR = '#ef5350';

/** The colour of the phase bar at this place in the boot's phase row (the palette repeats after its end). */
export const phaseColor = (position: number): string => PHASE_COLORS[position % PHASE_COLORS.length]!;

/** The timeline as an inline SVG bar chart: phases on one row, transfers on the next. */
export function timelineSvg(events: TimelineEvent[], totalMs: number): string {
  const width = 900;
  const rowHeight = 26;
  const end = Math.max(totalMs, ...events.map((e) => e.endMs), 1);
  const x = (ms: number) => 10 + (ms / end) * (width - 20);
  const rows = [events.filter((e) => e.id !== TRANSFER_EVENT_ID), events.filter((e) => e.id === TRANSFER_EVENT_ID)].filter((r) => r.length);
  const bars = rows.flatMap((row, r) =>
    row.map((e, position) => {
      const w = Math.max(2, x(e.endMs) - x(e.startMs));
      const title = `${e.label}: ${(e.startMs / 1000).toFixed(1)}-${(e.endMs / 1000).toFixed(1)} s${e.detail ? ` (${e.detail})` : ''}`;
      return `<rect class="bar" data-phase="${esc(e.id)}" x="${x(e.startMs).toFixed(1)}" y="${r * rowHeight + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${e.id === TRANSFER_EVENT_ID ? TRANSFER_COLOR : phaseColor(position)}"><title>${esc(title)}</title></rect>` +
        (w > 60 ? `<text x="${(x(e.startMs) + 4).toFixed(1)}" y="${r * rowHeight + 18}" font-size="11">${esc(e.id === TRANSFER_EVENT_ID ? 'ISO transfer' : e.id)}</text>` : '');
    }),
  );
  const ticks: string[] = [];
  const step = end > 240_000 ? 60_000 : end > 60_000 ? 30_000 : 10_000;
  for (let t = 0; t <= end; t += step) ticks.push(`<text x="${x(t).toFixed(1)}" y="${rows.length * rowHeight + 14}" font-size="10" fill="#555">${t / 1000}s</text>`);
  const height = rows.length * rowHeight + 20;
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars.join('')}${ticks.join('')}</svg>`;
}

/** The screen where it tells something: a boot that did not pass (a passing boot's is linked, not shown). */
async function screenshots(boot: BootResult): Promise<string> {
  const out: string[] = [];
  for (const name of boot.verdict === 'PASS' ? [] : ['screen-failure.png', 'screen-end.png']) {
    const path = join(boot.artifactsDir, name);
    if (!existsSync(path)) continue;
    const data = (await readFile(path)).toString('base64');
    out.push(`<figure><img class="screenshot" alt="${name}" src="data:image/png;base64,${data}"><figcaption>${name}</figcaption></figure>`);
  }
  return out.join('');
}

/** The firmware and loader the boot ran, with their packages' versions. */
function componentsLine(boot: BootResult): string {
  if (!boot.components?.length) return '';
  const part = (c: NonNullable<BootResult['components']>[number]) => `${c.part} <b>${esc(c.id)}</b> (${c.packages.map((p) => esc(`${p.name} ${p.version}`)).join(', ') || 'no host package'})`;
  return `<p class="components">${boot.components.map(part).join(' · ')}</p>`;
}

/** Who witnessed the delivery: the server's log says what it wrote to the connection; only the guest says what arrived. */
function deliveryLine(boot: BootResult): string {
  if (!boot.delivery) return '';
  if (boot.delivery.by === 'guest') return `<p class="witness">Delivery: proven by the guest (${esc(boot.delivery.detail)}); the lines below say what the publisher wrote to the connection.</p>`;
  return `<p class="witness unproven">Delivery: <b>NO guest proof</b>: ${esc(boot.delivery.detail)}.</p>`;
}

/** Links to every file of a folder (a boot's, or its scenario's: transfers.jsonl, result.json), relative to the report. */
async function fileLinks(folder: string, outDir: string): Promise<string> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort()
    .map((n) => `<a href="${esc(relative(outDir, join(folder, n)))}">${esc(n)}</a>`)
    .join(' · ');
}

/** The command that boots this boot's setup again, with a button that copies it. */
function reproduceLine(boot: BootResult): string {
  if (!existsSync(join(boot.artifactsDir, 'reproduce.json'))) return '';
  const command = `pxe-harness reproduce ${boot.artifactsDir}`;
  return `<p class="reproduce">reproduce: <code>${esc(command)}</code> <button type="button" class="copy" data-copy="${esc(command)}">copy</button></p>`;
}

async function bootSection(boot: BootResult, index: number, outDir: string): Promise<string> {
  const links = await fileLinks(boot.artifactsDir, outDir);
  const checks = boot.checks.map((c) => `<tr class="${c.ok ? 'ok' : 'bad'}"><td>${c.ok ? '✔' : '✘'}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}</td></tr>`).join('');
  return `
  <section class="boot ${boot.verdict}">
    <h3>Boot ${index + 1}: ${esc(boot.name)} <span class="verdict ${boot.verdict}">${boot.verdict}</span></h3>
    <p class="reason">${esc(boot.reason)}</p>
    <p>phase reached: <b>${esc(boot.phase)}</b> · ${(boot.durationMs / 1000).toFixed(1)} s · kernel options: <code>${esc(boot.kernelArgs.join(' ') || '(from the disk\'s boot loader)')}</code></p>
    ${componentsLine(boot)}
    ${timelineSvg(boot.events, boot.durationMs)}
    <h4>Transfers</h4>
    ${deliveryLine(boot)}
    <ul>${[...(boot.bootFileTransfers ?? []), ...boot.transfers].map((t) => `<li>${esc(describeTransfer(t))}</li>`).join('') || '<li>none</li>'}</ul>
    ${checks ? `<h4>Checks</h4><table>${checks}</table>` : ''}
    ${boot.disks.length ? `<h4>Disks (read on the host)</h4><ul>${boot.disks.map((d) => `<li>${esc(describeDiskEvidence(d))}</li>`).join('')}</ul>` : ''}
    ${boot.warnings.length ? `<h4>Console warnings</h4><pre>${esc(boot.warnings.join('\n'))}</pre>` : ''}
    ${boot.verdict !== 'PASS' ? `<h4>Last console lines</h4><pre class="tail">${esc(boot.consoleTail.join('\n'))}</pre>` : ''}
    <div class="shots">${await screenshots(boot)}</div>
    ${reproduceLine(boot)}
    <p class="links">${links}</p>
  </section>`;
}

/** The conformance page's table (conformance.md), with links to the scenarios' sections. */
function conformanceSection(results: ScenarioResult[], outDir: string): string {
  const outcomes = conformanceOutcomes(results, outDir);
  // A run of the user's own scenarios proves no documented option: no section of NOT RUN rows.
  if (!outcomes.some((o) => o.evidence.length)) return '';
  const rows = outcomes.map((o) => `<tr><td><code>${esc(o.option)}</code></td><td>${esc(o.documented)}</td><td>${esc(o.showed).replace(/\n/g, '<br>')}</td><td>${esc(o.verdict)}</td><td>${o.evidence.map((e) => `<a href="#${esc(e.name)}">${esc(e.name)}</a>`).join(' ')}</td></tr>`);
  return `<h2 id="conformance">Conformance: the seed documents against real boots</h2>
<table><tr><th>option</th><th>documented</th><th>what the boots showed</th><th>verdict</th><th>evidence</th></tr>${rows.join('')}</table>`;
}

/** The firmware a scenario booted under, as its boots recorded it ('' when none booted). */
const firmwareOf = (r: ScenarioResult) => r.boots.flatMap((b) => b.components ?? []).find((c) => c.part === 'firmware')?.id ?? '';
/** What a reader must see at once: a result that failed the run. */
const failing = (r: ScenarioResult) => r.verdict === 'FAIL' || r.verdict === 'ERROR' || r.verdict === 'XPASS';

/** One scenario, folded unless it failed (then open at its deciding evidence: its reason, its failed boot). */
async function scenarioDetails(r: ScenarioResult, outDir: string): Promise<string> {
  const boots: string[] = [];
  for (const [i, b] of r.boots.entries()) boots.push(await bootSection(b, i, outDir));
  return `
<details class="scenario ${r.verdict}" id="${esc(r.name)}" data-verdict="${r.verdict}" data-firmware="${esc(firmwareOf(r))}"${failing(r) ? ' open' : ''}>
  <summary><span class="verdict ${r.verdict}">${r.verdict}</span> <b>${esc(r.name)}</b> <small>${(r.durationMs / 1000).toFixed(1)} s</small> <span class="reason">${esc(r.reason)}</span></summary>
  <p>${esc(r.summary)}</p>
  ${boots.join('')}
  <p class="links">scenario folder: ${await fileLinks(r.artifactsDir, outDir)}</p>
</details>`;
}

export interface HtmlReportMeta {
  iso?: string;
  liveModule?: { id: string; evidence: string };
  /** What the harness read from the ISO before any boot. */
  facts?: IsoFacts;
  /** An earlier run to compare with (--baseline): its section and chart come first. */
  baseline?: Baseline;
}

/**
 * One static HTML file (styles, screenshots and the filter's script inside it) that opens offline
 * beside the logs: the results first, filterable by verdict and firmware and searchable, passing
 * scenarios folded; the comparison with a baseline; the conformance table where built-in
 * scenarios ran.
 */
export async function renderHtmlReport(results: ScenarioResult[], outDir: string, meta: HtmlReportMeta = {}): Promise<string> {
  const count = (v: string) => results.filter((r) => r.verdict === v).length;
  const sections: string[] = [];
  for (const r of results) sections.push(await scenarioDetails(r, outDir));
  const comparison = meta.baseline ? compareWithBaseline(results, meta.baseline, meta.baseline.thresholdPct) : undefined;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pxe-harness report</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:1000px}
.verdict{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-weight:bold}
.verdict.PASS{background:#2e7d32}.verdict.FAIL{background:#c62828}.verdict.ERROR{background:#6a1b9a}.verdict.XFAIL{background:#ef6c00}.verdict.XPASS{background:#ad1457}.verdict.SKIP{background:#757575}
details.scenario{border-top:2px solid #ccc;margin-top:.8em;padding-top:.3em}details.scenario>summary{cursor:pointer}
section.boot{margin-left:1em;border-left:3px solid #ddd;padding-left:1em}
section.boot.FAIL,section.boot.ERROR{border-left-color:#c62828}.reason{font-weight:600}.witness.unproven{color:#b26a00}
table{border-collapse:collapse}td{border-bottom:1px solid #eee;padding:2px 6px;vertical-align:top}tr.bad td{color:#c62828}
pre{background:#f5f5f5;padding:.5em;overflow-x:auto;font-size:12px}.screenshot{max-width:480px;border:1px solid #999}
figure{display:inline-block;margin:0 1em 0 0}svg.timeline,svg.baseline-chart{background:#fafafa;border:1px solid #ddd}
${BROWSE_STYLE}
</style></head><body>
<h1>pxe-harness report</h1>
<p class="summary">${count('PASS')} passed, ${count('FAIL')} failed, ${count('ERROR')} errors, ${count('XFAIL')} known issues, ${count('XPASS')} fixed known issues, ${count('SKIP')} skipped · ISO: <code>${esc(meta.iso ?? '?')}</code>${meta.liveModule ? ` · live module: <b>${esc(meta.liveModule.id)}</b> (${esc(meta.liveModule.evidence)})` : ''} · ${esc(new Date().toISOString())}</p>
${isoFactsSection(meta.facts)}
${filterBar(results.map((r) => ({ verdict: r.verdict, firmware: firmwareOf(r) })))}
<div id="results">${sections.join('\n')}</div>
${baselineSection(comparison)}
${conformanceSection(results, outDir)}
<script>${BROWSE_SCRIPT}</script>
</body></html>
`;
}

/**
 * report.html in the run's output folder, written at the run's end only (it carries every
 * screenshot; results.json and junit.xml are the ones kept as each scenario ends), atomically.
 */
export function htmlReporter(outDir: string, meta: Omit<HtmlReportMeta, 'liveModule' | 'facts'> = {}): Reporter {
  let liveModule: { id: string; evidence: string } | undefined;
  let facts: IsoFacts | undefined;
  return {
    name: 'html',
    onRunInfo(info) {
      liveModule = info.liveModule;
      facts = info.facts;
    },
    async onRunEnd(results) {
      await writeReportFile(outDir, 'report.html', await renderHtmlReport(results, outDir, { ...meta, ...(liveModule ? { liveModule } : {}), ...(facts ? { facts } : {}) }));
    },
  };
}
