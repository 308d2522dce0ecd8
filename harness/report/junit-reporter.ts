import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Reporter } from './reporter.js';
import type { ScenarioResult } from '../scenario/result.js';

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters; a console tail may hold some.
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');

/**
 * JUnit XML: one testcase per scenario, its boots (stages) and checks as steps in system-out,
 * the reason and the console tail of the failing boot in <failure> (or <error> for ERROR).
 */
export function renderJUnit(results: ScenarioResult[], outDir: string, liveModule?: { id: string; evidence: string }): string {
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
    ...(liveModule ? [`    <properties><property name="live-module" value="${escapeXml(liveModule.id)}"/><property name="live-module-evidence" value="${escapeXml(liveModule.evidence)}"/></properties>`] : []),
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/** junit.xml in the run's output folder, for CI test tabs. */
export function junitReporter(outDir: string): Reporter {
  let liveModule: { id: string; evidence: string } | undefined;
  return {
    name: 'junit',
    onRunInfo(info) {
      liveModule = info.liveModule;
    },
    async onRunEnd(results) {
      await writeFile(join(outDir, 'junit.xml'), renderJUnit(results, outDir, liveModule));
    },
  };
}
