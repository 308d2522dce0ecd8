import { describe, expect, it } from 'vitest';
import { liveTerminal, terminalReporter } from '../../harness/report/terminal-reporter.js';
import ramDeployFtp from '../../scenarios/ram-deploy-ftp.js';
import ramDeployHttp from '../../scenarios/ram-deploy-http.js';
import { sampleResults } from '../helpers/sample-results.js';

describe('terminal reporter', () => {
  it('without a TTY: plain lines per scenario, no escape sequences, the closing count', async () => {
    const out: string[] = [];
    const r = terminalReporter((t) => out.push(t), { live: false });
    r.onBootStart!(ramDeployHttp, ramDeployHttp.boots[0]!, 0);
    r.onBootStart!(ramDeployFtp, ramDeployFtp.boots[0]!, 0);
    r.onPhase!(ramDeployFtp, ramDeployFtp.boots[0]!, 'kernel');
    r.onTransferProgress!(ramDeployFtp, '/image/x.iso', 1000);
    const results = sampleResults('/out');
    r.onScenarioEnd!(results[0]!);
    await r.onRunEnd!(results);
    const text = out.join('');
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('  ram-deploy-http: boot 1/1 (network boot into RAM) started\n');
    expect(text).toMatch(/  ram-deploy-ftp: kernel after 0\.\d s\n/);
    expect(text).toContain('PASS  ram-deploy-http  161.0 s  all 1 boot(s) passed\n');
    expect(text).toContain('1 passed, 1 failed\n');
  });
});

describe('when the status line is redrawn', () => {
  it('only on a TTY that is no CI log, has not asked for NO_COLOR and is not a dumb terminal', () => {
    expect(liveTerminal({}, true)).toBe(true);
    expect(liveTerminal({}, false)).toBe(false);
    expect(liveTerminal({ CI: 'true' }, true)).toBe(false);
    expect(liveTerminal({ NO_COLOR: '1' }, true)).toBe(false);
    expect(liveTerminal({ NO_COLOR: '' }, true)).toBe(true);
    expect(liveTerminal({ TERM: 'dumb' }, true)).toBe(false);
  });
});
