import type { Reporter } from './reporter.js';
import type { ScenarioResult } from '../runner/result.js';

const secondsOf = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line per scenario verdict; progress lines while boots run (plain text, fine in CI logs). */
export function terminalReporter(write: (line: string) => void = (l) => process.stdout.write(l + '\n'), { progress = true } = {}): Reporter {
  let bootStartedAt = Date.now();
  return {
    onBootStart(scenario, boot, index) {
      bootStartedAt = Date.now();
      if (progress) write(`  ${scenario.name}: boot ${index + 1} (${boot.name}) started`);
    },
    onPhase(scenario, _boot, phase) {
      if (progress) write(`  ${scenario.name}: ${phase} after ${secondsOf(Date.now() - bootStartedAt)}`);
    },
    onScenarioEnd(result) {
      write(formatResultLine(result));
    },
    onRunEnd(results) {
      const count = (v: string) => results.filter((r) => r.verdict === v).length;
      write(`${count('PASS')} passed, ${count('FAIL') + count('ERROR')} failed`);
    },
  };
}

export function formatResultLine(result: ScenarioResult): string {
  return `${result.verdict.padEnd(5)} ${result.name}  ${secondsOf(result.durationMs)}  ${result.reason}`;
}
