import type { Reporter } from './reporter.js';
import type { ScenarioResult } from '../scenario/result.js';
import { formatBytes } from '../publish/transfer-log.js';

const secondsOf = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface TerminalOptions {
  /** Redraw one status line (scenario, boot, phase, elapsed, bytes) every second. */
  live: boolean;
  /** Begins every line, as `[dmsquash] `: the project of a run of several ISOs (each has its own reporter). */
  prefix?: string;
}

/**
 * Whether the terminal takes a redrawn status line: a TTY that is not a CI log (CI set, as GitHub,
 * GitLab and Jenkins set it), has not asked for plain output (NO_COLOR, no-color.org) and is not
 * a dumb terminal. Everywhere else plain lines, which a log keeps readable.
 */
export function liveTerminal(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  return Boolean(isTTY) && !env.CI && !env.NO_COLOR && env.TERM !== 'dumb';
}

/**
 * One line per scenario verdict. On a terminal, a live status line while a boot runs; elsewhere
 * (CI logs) plain lines only: a boot's start, each phase reached, the verdict.
 */
export function terminalReporter(
  write: (text: string) => void = (t) => process.stdout.write(t),
  options: TerminalOptions = { live: liveTerminal(process.env, process.stdout.isTTY) },
): Reporter {
  const prefix = options.prefix ? `[${options.prefix}] ` : '';
  const line = (text: string) => write(`${options.live ? '\r\x1b[2K' : ''}${prefix}${text}\n`);
  // One status per running scenario: with --jobs several boot side by side.
  const running = new Map<string, { boot: string; phase: string; startedAt: number; bytes: number }>();
  let timer: NodeJS.Timeout | undefined;
  const draw = () =>
    write(
      '\r\x1b[2K' +
        [...running.entries()]
          .map(([name, s]) => `${name} · ${s.boot} · ${s.phase} · ${secondsOf(Date.now() - s.startedAt)}${s.bytes ? ` · ISO ${formatBytes(s.bytes)}` : ''}`)
          .join('  |  '),
    );
  return {
    name: 'terminal',
    onRunInfo(info) {
      line(`live module: ${info.liveModule.id} (${info.liveModule.evidence})`);
    },
    onBootStart(scenario, boot, index) {
      const status = { boot: `boot ${index + 1}/${scenario.boots.length} (${boot.name})`, phase: 'firmware', startedAt: Date.now(), bytes: 0 };
      running.set(scenario.name, status);
      if (options.live) {
        if (!timer) {
          timer = setInterval(draw, 1000);
          timer.unref();
        }
      } else line(`  ${scenario.name}: ${status.boot} started`);
    },
    onPhase(scenario, _boot, phase) {
      const status = running.get(scenario.name);
      if (!status) return;
      status.phase = phase;
      if (!options.live) line(`  ${scenario.name}: ${phase} after ${secondsOf(Date.now() - status.startedAt)}`);
    },
    onTransferProgress(scenario, _path, bytesSent) {
      const status = running.get(scenario.name);
      if (status) status.bytes = bytesSent;
    },
    onScenarioEnd(result) {
      running.delete(result.name);
      if (!running.size) {
        clearInterval(timer);
        timer = undefined;
      }
      line(formatResultLine(result));
    },
    onRunEnd(results) {
      clearInterval(timer);
      const count = (v: string) => results.filter((r) => r.verdict === v).length;
      line(`${count('PASS') + count('XFAIL')} passed, ${count('FAIL') + count('ERROR') + count('XPASS')} failed`);
      if (count('XFAIL')) line(`(${count('XFAIL')} of the passed failed as a known issue: see known-issues.json)`);
      const notRun = results.filter((r) => r.verdict === 'SKIP' && r.reason.startsWith('not run: ')).length;
      if (count('SKIP') > notRun) line(`${count('SKIP') - notRun} skipped: they do not apply to this ISO or firmware`);
      if (notRun) line(`${notRun} not run: the run stopped starting scenarios (--max-failures)`);
    },
  };
}

export function formatResultLine(result: ScenarioResult): string {
  return `${result.verdict.padEnd(5)} ${result.name}  ${secondsOf(result.durationMs)}  ${result.reason}`;
}
