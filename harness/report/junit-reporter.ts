import { relative } from 'node:path';
import { reportFileWriter } from './report-file.js';
import type { Reporter } from './reporter.js';
import { runProgress, type RunSoFar } from './run-progress.js';
import type { ScenarioResult } from '../scenario/result.js';

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
function propertiesXml(liveModule: { id: string; evidence: string } | undefined, run: Omit<RunSoFar, 'results'>): string[] {
  const property = (name: string, value: string) => `<property name="${name}" value="${escapeXml(value)}"/>`;
  const properties = [
    ...(liveModule ? [property('live-module', liveModule.id), property('live-module-evidence', liveModule.evidence)] : []),
    ...(run.complete ? [] : [property('complete', 'false')]),
    ...(run.notRun ?? []).map((name) => property('not-run', name)),
  ];
  return properties.length ? [`    <properties>${properties.join('')}</properties>`] : [];
}

/**
 * JUnit XML: one testcase per scenario, its boots (stages) and checks as steps in system-out,
 * the reason and the console tail of the failing boot in <failure> (or <error> for ERROR).
 */
export function renderJUnit(
  results: ScenarioResult[],
  outDir: string,
  liveModule?: { id: string; evidence: string },
  run: Omit<RunSoFar, 'results'> = { complete: true },
): string {
  const failures = results.filter((r) => r.verdict === 'FAIL' || r.verdict === 'XPASS').length;
  const skipped = results.filter((r) => r.verdict === 'XFAIL' || r.verdict === 'SKIP').length;
  const errors = results.filter((r) => r.verdict === 'ERROR').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = results.reduce((sum, r) => sum + r.durationMs, 0);
  const cases = results.map((r) => {
    const steps = r.boots.flatMap((b, i) => [
      `boot ${i + 1} "${b.name}": ${b.verdict} in ${seconds(b.durationMs)} s (phase ${b.phase}) - ${b.reason}`,
      ...b.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
      `  artifacts: ${relative(outDir, b.artifactsDir)}`,
    ]);
    const failed = r.boots.find((b) => b.verdict !== 'PASS');
    const body = failed ? `${r.reason}\n\nlast console lines of "${failed.name}":\n${failed.consoleTail.join('\n')}` : r.reason;
    // A known defect that failed as known is reported as skipped, with its reason.
    const tag = r.verdict === 'ERROR' ? 'error' : r.verdict === 'XFAIL' || r.verdict === 'SKIP' ? 'skipped' : 'failure';
    const problem = r.verdict === 'PASS' ? '' : `\n      <${tag} message="${escapeXml(r.reason)}" type="${r.verdict}">${escapeXml(body)}</${tag}>`;
    return [
      `    <testcase classname="pxe-harness" name="${escapeXml(r.name)}" time="${seconds(r.durationMs)}">${problem}`,
      `      <system-out>${escapeXml(steps.join('\n'))}</system-out>`,
      '    </testcase>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="pxe-harness" tests="${results.length}" failures="${failures}" errors="${errors}" time="${seconds(total)}">`,
    `  <testsuite name="pxe-harness" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(total)}">`,
    ...propertiesXml(liveModule, run),
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
  const render = ({ results, ...run }: RunSoFar) => renderJUnit(results, outDir, liveModule, run);
  return {
    name: 'junit',
    onRunInfo(info) {
      liveModule = info.liveModule;
    },
    onRunStart(scenarios) {
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
