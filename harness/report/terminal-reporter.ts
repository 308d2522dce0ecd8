import type { Reporter } from './reporter.js';
import type { ScenarioResult } from '../runner/result.js';
import { formatBytes } from '../publish/transfer-log.js';

const secondsOf = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface TerminalOptions {
  /** Redraw one status line (scenario, boot, phase, elapsed, bytes) every second. */
  live: boolean;
}

/**
 * One line per scenario verdict. On a terminal, a live status line while a boot runs; elsewhere
 * (CI logs) plain lines only: a boot's start, each phase reached, the verdict.
 */
export function terminalReporter(
  write: (text: string) => void = (t) => process.stdout.write(t),
  options: TerminalOptions = { live: Boolean(process.stdout.isTTY) },
): Reporter {
  const line = (text: string) => write(`${options.live ? '\r\x1b[2K' : ''}${text}\n`);
  let status = { scenario: '', boot: '', phase: 'firmware', startedAt: Date.now(), bytes: 0 };
  let timer: NodeJS.Timeout | undefined;
  const draw = () =>
    write(`\r\x1b[2K${status.scenario} · ${status.boot} · ${status.phase} · ${secondsOf(Date.now() - status.startedAt)}${status.bytes ? ` · ISO ${formatBytes(status.bytes)}` : ''}`);
  return {
    onBootStart(scenario, boot, index) {
      status = { scenario: scenario.name, boot: `boot ${index + 1}/${scenario.boots.length} (${boot.name})`, phase: 'firmware', startedAt: Date.now(), bytes: 0 };
      if (options.live) {
        clearInterval(timer);
        timer = setInterval(draw, 1000);
        timer.unref();
      } else line(`  ${scenario.name}: ${status.boot} started`);
    },
    onPhase(scenario, _boot, phase) {
      status.phase = phase;
      if (!options.live) line(`  ${scenario.name}: ${phase} after ${secondsOf(Date.now() - status.startedAt)}`);
    },
    onTransferProgress(_scenario, _path, bytesSent) {
      status.bytes = bytesSent;
    },
    onScenarioEnd(result) {
      clearInterval(timer);
      line(formatResultLine(result));
    },
    onRunEnd(results) {
      clearInterval(timer);
      const count = (v: string) => results.filter((r) => r.verdict === v).length;
      line(`${count('PASS') + count('XFAIL')} passed, ${count('FAIL') + count('ERROR') + count('XPASS')} failed`);
      if (count('XFAIL')) line(`(${count('XFAIL')} of the passed failed as a known issue: see known-issues.json)`);
    },
  };
}

export function formatResultLine(result: ScenarioResult): string {
  return `${result.verdict.padEnd(5)} ${result.name}  ${secondsOf(result.durationMs)}  ${result.reason}`;
}
