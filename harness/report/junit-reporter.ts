import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { reportFileWriter } from './report-file.js';
import type { Reporter } from './reporter.js';
import { runProgress, type RunSoFar } from './run-progress.js';
import type { BootResult, ScenarioResult } from '../scenario/result.js';

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters; a console tail may hold some.
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/**
 * The testsuite's properties: the live module, and how far the run went. A file written part-way
 * says `complete=false` and names each planned scenario still to run in a `not-run` property
 * (so does the end of a run stopped before some). Those scenarios have no testcase: a
 * `<skipped>` would count them with the known issues (XFAIL, SKIP) in every CI test tab, and a
 * run killed half-way would look like a run that skipped half its tests; absent, the counts are
 * those of the testcases present and the tab shows the verdicts the run finished.
 */
function propertiesXml(liveModule: { id: string; evidence: string } | undefined, run: Omit<RunSoFar, 'results'>, architectures: readonly string[] = []): string[] {
  const property = (name: string, value: string) => `<property name="${name}" value="${escapeXml(value)}"/>`;
  const properties = [
    ...(liveModule ? [property('live-module', liveModule.id), property('live-module-evidence', liveModule.evidence)] : []),
    ...architectures.map((arch) => property('architecture', arch)),
    ...(run.complete ? [] : [property('complete', 'false')]),
    ...(run.notRun ?? []).map((name) => property('not-run', name)),
  ];
  return properties.length ? [`    <properties>${properties.join('')}</properties>`] : [];
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The JUnit element of a verdict that is no pass: failure (FAIL, XPASS), error, or skipped (XFAIL, SKIP: a known defect or a scenario that does not apply). */
const tagOf = (verdict: string) => (verdict === 'ERROR' ? 'error' : verdict === 'XFAIL' || verdict === 'SKIP' ? 'skipped' : 'failure');

/**
 * A boot's files as attachments, in the form GitLab's and Jenkins' JUnit readers take from
 * system-out (`[[ATTACHMENT|path]]`): the serial log, and the screens where the boot left them.
 */
function attachments(boot: BootResult): string[] {
  return ['serial.log', 'screen-failure.png', 'screen-end.png'].filter((n) => existsSync(join(boot.artifactsDir, n))).map((n) => `[[ATTACHMENT|${join(boot.artifactsDir, n)}]]`);
}

/** One boot as a testcase: classname its scenario, name the boot; its checks and files in system-out. */
function bootCase(r: ScenarioResult, b: BootResult, i: number, outDir: string): string {
  const steps = [
    `boot ${i + 1} "${b.name}": ${b.verdict} in ${seconds(b.durationMs)} s (phase ${b.phase}) - ${b.reason}`,
    ...b.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    `  artifacts: ${relative(outDir, b.artifactsDir)}`,
    ...attachments(b),
  ];
  const body = `${b.reason}\n\nlast console lines:\n${b.consoleTail.join('\n')}`;
  const problem = b.verdict === 'PASS' ? '' : `\n      <${tagOf(b.verdict)} message="${escapeXml(b.reason)}" type="${b.verdict}">${escapeXml(body)}</${tagOf(b.verdict)}>`;
  return [
    `    <testcase classname="${escapeXml(r.name)}" name="${escapeXml(`${i + 1}. ${b.name}`)}" time="${seconds(b.durationMs)}"${b.startedAt ? ` timestamp="${b.startedAt}"` : ''}${r.sourceFile ? ` file="${escapeXml(r.sourceFile)}"` : ''}>${problem}`,
    `      <system-out>${escapeXml(steps.join('\n'))}</system-out>`,
    '    </testcase>',
  ].join('\n');
}

/** A scenario that booted nothing (SKIP, or an ERROR before its first boot): one testcase of its own. */
function scenarioCase(r: ScenarioResult): string {
  const problem = r.verdict === 'PASS' ? '' : `\n      <${tagOf(r.verdict)} message="${escapeXml(r.reason)}" type="${r.verdict}">${escapeXml(r.reason)}</${tagOf(r.verdict)}>`;
  return `    <testcase classname="${escapeXml(r.name)}" name="(no boot)" time="${seconds(r.durationMs)}"${r.startedAt ? ` timestamp="${r.startedAt}"` : ''}${r.sourceFile ? ` file="${escapeXml(r.sourceFile)}"` : ''}>${problem}\n    </testcase>`;
}

/**
 * JUnit XML: a testcase per boot (classname the scenario, name the boot; a scenario that booted
 * nothing has one of its own), its checks and files in system-out, the reason and the console
 * tail in <failure>, <error> or <skipped>. The suite's time is the run's wall time (boots side by
 * side overlap), its timestamp the run's start.
 */
export function renderJUnit(
  results: ScenarioResult[],
  outDir: string,
  liveModule?: { id: string; evidence: string },
  run: Omit<RunSoFar, 'results'> & { startedAtMs?: number; wallMs?: number } = { complete: true },
): string {
  const cases = results.flatMap((r) => (r.boots.length ? r.boots.map((b, i) => bootCase(r, b, i, outDir)) : [scenarioCase(r)]));
  const verdicts = results.flatMap((r) => (r.boots.length ? r.boots.map((b) => b.verdict) : [r.verdict]));
  const failures = verdicts.filter((v) => v === 'FAIL' || v === 'XPASS').length;
  const skipped = verdicts.filter((v) => v === 'XFAIL' || v === 'SKIP').length;
  const errors = verdicts.filter((v) => v === 'ERROR').length;
  const time = seconds(run.wallMs ?? results.reduce((sum, r) => sum + r.durationMs, 0));
  const timestamp = run.startedAtMs === undefined ? '' : ` timestamp="${new Date(run.startedAtMs).toISOString()}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pxe-harness" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="pxe-harness" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}"${timestamp}>`,
    ...propertiesXml(liveModule, run, [...new Set(results.flatMap((r) => (r.architecture ? [r.architecture] : [])))]),
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * junit.xml in the run's output folder, for CI test tabs: rewritten (atomically) as each scenario
 * ends, so that a run killed half-way keeps every verdict it finished.
 */
export function junitReporter(outDir: string): Reporter {
  let liveModule: { id: string; evidence: string } | undefined;
  const progress = runProgress();
  const write = reportFileWriter(outDir, 'junit.xml');
  let startedAtMs: number | undefined;
  // The wall time since the run began (a merge of finished results, never started here, sums them).
  const render = ({ results, ...run }: RunSoFar) =>
    renderJUnit(results, outDir, liveModule, { ...run, ...(startedAtMs === undefined ? {} : { startedAtMs, wallMs: Date.now() - startedAtMs }) });
  return {
    name: 'junit',
    onRunInfo(info) {
      liveModule = info.liveModule;
    },
    onRunStart(scenarios) {
      startedAtMs = Date.now();
      progress.plan(scenarios);
    },
    async onScenarioEnd(result) {
      await write(render(progress.add(result)));
    },
    async onRunEnd(results) {
      await write(render(progress.end(results)));
    },
  };
}
