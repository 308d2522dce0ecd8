import { DEFAULT_ARCHITECTURE } from '../../harness/arch/index.js';
import { describe, expect, it } from 'vitest';
import { ConsoleLog } from '../../harness/console/console-log.js';
import { ConsoleWaitError } from '../../harness/console/wait.js';
import { planBoot } from '../../harness/engine/boot-plan.js';
import { BootSession, type BootRun } from '../../harness/engine/boot-session.js';
import { judgeChecks, judgeError, judgeFailedTransfer } from '../../harness/engine/boot-stages.js';
import { retryable } from '../../harness/engine/verdict-rules.js';
import { seabios } from '../../harness/firmware/seabios.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { endingSignal, unexpectedEnd, type StartedMachine } from '../../harness/qemu/machine.js';
import type { BootResult } from '../../harness/scenario/result.js';
import { LogFile } from '../../harness/util/log-file.js';
import { TransferWaitError } from '../../harness/wait/index.js';

// What breaks a boot off from outside the guest and the ISO (QEMU killed, a full disk, evidence
// not written) makes it an ERROR that names the cause and is never retried: never a FAIL, never a
// silent PASS. /dev/full stands for a full disk: every write to it fails with ENOSPC.

const plan = planBoot({}, { name: 'b', from: 'network', checks: [] }, { firmware: seabios, arch: DEFAULT_ARCHITECTURE, liveModule: kiwiLive, source: { kind: 'url', url: 'http://10.0.2.100/image/x.iso' }, accel: 'tcg' });

/** A boot as the stages see it, with only what the judges read; its ISO publisher logs to `logPath`. */
function session(logPath?: string, signal?: AbortSignal): BootSession {
  const transfers = new TransferLog(logPath);
  const run = {
    scenario: { name: 's' }, boot: { name: 'b', checks: [] }, index: 0, env: { ...(signal ? { signal } : {}) },
    publisher: { protocol: 'http', transfers }, artifactsDir: '/nonexistent', disks: [], state: new Map(),
  } as unknown as BootRun;
  return new BootSession(run, plan);
}

/** A stand-in for a QEMU that has ended as `end` says (undefined: the guest's or the harness's end). */
const endedMachine = (end: { how: string; stderr: string } | undefined) =>
  ({ running: false, endedUnexpectedly: end, writeErrors: [], startedAtMs: Date.now(), console: new ConsoleLog() }) as unknown as StartedMachine;

/** A transfer of the ISO that the publisher logged as done, as the guest fetched it. */
function logTransfer(log: TransferLog, outcome: 'whole' | 'partial'): void {
  const transfer = log.begin({ protocol: 'http', method: 'GET', path: '/image/x.iso', client: '127.0.0.1' });
  try {
    transfer.end(200, outcome);
  } catch {
    // The log's file failed: TransferLog throws to its publisher after recording the transfer.
  }
}

describe("QEMU's end, as the machine reads it", () => {
  it('names the signal that killed it, and the one it caught and ended on by itself', () => {
    expect(endingSignal({ code: undefined, signal: 'SIGKILL', stderrTail: '' })).toBe('SIGKILL');
    const caught = { code: 0, signal: undefined, stderrTail: 'qemu-system-x86_64: terminating on signal 15 from pid 4242 (kill)' };
    expect(endingSignal(caught)).toBe('SIGTERM');
    expect(unexpectedEnd(caught)).toEqual({ how: 'QEMU was killed by SIGTERM', stderr: ' (stderr: qemu-system-x86_64: terminating on signal 15 from pid 4242 (kill))' });
  });

  it('a guest that powers off or reboots (code 0) ended it, not the host; an error exit of QEMU is its own failure', () => {
    expect(unexpectedEnd({ code: 0, signal: undefined, stderrTail: '' })).toBeUndefined();
    expect(unexpectedEnd({ code: undefined, signal: 'SIGKILL', stderrTail: '' })).toEqual({ how: 'QEMU was killed by SIGKILL', stderr: '' });
    expect(unexpectedEnd({ code: 1, signal: undefined, stderrTail: 'qemu: fatal: x' })).toEqual({ how: 'QEMU failed: it exited with code 1', stderr: ' (stderr: qemu: fatal: x)' });
  });
});

describe('QEMU killed mid-boot (a signal the harness did not send)', () => {
  it('is an ERROR naming the signal where the console wait saw QEMU end after the initrd (was a FAIL)', async () => {
    const s = session();
    s.machine = endedMachine({ how: 'QEMU was killed by SIGKILL', stderr: ' (stderr: info: QEMU waiting for connection)' });
    const result = await judgeError(s, new ConsoleWaitError('ended', 'QEMU was killed by SIGKILL before /login/ appeared', { phase: 'fetch-root' }));
    expect(result.verdict).toBe('ERROR');
    expect(result.reason).toBe("QEMU was killed by SIGKILL, neither by the harness nor by the guest: the host's doing, not the ISO's (stderr: info: QEMU waiting for connection) (phase firmware)");
    expect(result.outsideCause).toMatch(/SIGKILL/);
  });

  it('is an ERROR where the transfer it cut was seen first (was a FAIL: "incomplete transfer")', async () => {
    const s = session();
    s.machine = endedMachine({ how: 'QEMU was killed by SIGKILL', stderr: '' });
    const target = { console: s.machine.console, ended: Promise.resolve('QEMU was killed by SIGKILL'), phase: () => 'fetch-root' };
    const cut = { protocol: 'http', method: 'GET', path: '/image/x.iso', client: 'c', outcome: 'partial', status: 200, complete: false, bytesSent: 1, startedAtMs: 0, durationMs: 1 } as const;
    const result = await judgeFailedTransfer(s, target, new TransferWaitError('transfer-failed', 'the ISO transfer was incomplete', cut));
    expect(result.verdict).toBe('ERROR');
    expect(result.reason).toContain('QEMU was killed by SIGKILL, neither by the harness nor by the guest');
    expect(result.reason).toContain('the transfer: the ISO transfer was incomplete');
  });

  it('is never retried, where an ERROR of the same phase without an outside cause is', () => {
    const blame = plan.blame;
    expect(retryable({ verdict: 'ERROR', phase: 'kernel' } as BootResult, blame)).toBe(true);
    expect(retryable({ verdict: 'ERROR', phase: 'kernel', outsideCause: 'QEMU was killed by SIGKILL' } as BootResult, blame)).toBe(false);
    expect(retryable({ verdict: 'ERROR', phase: 'live-root', hostFault: true, outsideCause: 'x' } as BootResult, blame)).toBe(false);
  });

  it('a guest that ended QEMU itself (code 0) keeps its FAIL', async () => {
    const s = session();
    s.machine = endedMachine(undefined);
    const result = await judgeError(s, new ConsoleWaitError('ended', 'QEMU exited with code 0 before /login/ appeared', { phase: 'fetch-root' }));
    expect(result.verdict).toBe('FAIL');
    expect(result.outsideCause).toBeUndefined();
  });
});

describe('a boot stopped by the run (SIGINT, SIGTERM, SIGHUP to the harness)', () => {
  it('is an ERROR naming the stop, not the FAIL of an aborted wait', async () => {
    const controller = new AbortController();
    controller.abort(new Error('SIGHUP to the harness'));
    const result = await judgeError(session(undefined, controller.signal), new ConsoleWaitError('aborted', 'wait for /login/ aborted', { phase: 'kernel' }));
    expect(result.verdict).toBe('ERROR');
    expect(result.reason).toBe('the run was stopped before this boot ended (SIGHUP to the harness) (phase firmware)');
  });
});

describe('evidence that could not be written (a full disk)', () => {
  it('a boot whose every check held but whose transfer log lost a line is an ERROR naming the file and the error (was a PASS)', () => {
    const s = session('/dev/full');
    logTransfer(s.run.publisher.transfers, 'whole');
    expect(s.run.publisher.transfers.writeErrors).toHaveLength(1);
    const result = judgeChecks(s);
    expect(result.verdict).toBe('ERROR');
    expect(result.reason).toBe("the boot's evidence is incomplete: /dev/full could not be written (ENOSPC: no space left on device) (phase firmware)");
  });

  it("an earlier boot's lost line is that boot's, not the next one's", () => {
    const log = new TransferLog('/dev/full');
    logTransfer(log, 'whole');
    const run = { boot: { name: 'b', checks: [] }, env: {}, publisher: { protocol: 'http', transfers: log }, artifactsDir: '/x' } as unknown as BootRun;
    expect(judgeChecks(new BootSession(run, plan)).verdict).toBe('PASS');
  });

  it('a full disk thrown while the boot starts (reproduce.json, the TFTP entry) is an ERROR that is not retried', async () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, open '/out/s/boot-1-b/reproduce.json'"), { code: 'ENOSPC' });
    const result = await judgeError(session(), full);
    expect(result.verdict).toBe('ERROR');
    expect(result.reason).toBe("a file of the boot could not be written: ENOSPC: no space left on device, open '/out/s/boot-1-b/reproduce.json' (phase firmware)");
    expect(retryable(result, plan.blame)).toBe(false);
  });

  it('a console file that fills the disk does not end the process: the failure is kept and announced, the lines go on', async () => {
    const log = new ConsoleLog({ rawPath: '/dev/full', cleanPath: '/dev/full' });
    log.push('Linux version 7\nsecond line\n');
    const failure = await log.writeFailed;
    expect(failure.filePath).toBe('/dev/full');
    expect((failure.error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    log.push('after the failure\n');
    await log.close();
    expect(log.lines.map((l) => l.text)).toEqual(['Linux version 7', 'second line', 'after the failure']);
    expect(log.writeErrors.map((e) => (e.error as NodeJS.ErrnoException).code)).toEqual(['ENOSPC', 'ENOSPC']);
  });

  it('a log file in a folder that is gone: the same, and end() still resolves', async () => {
    const file = new LogFile('/nonexistent-folder/qemu.stderr.log');
    file.write('x');
    expect((await file.failed).error.message).toMatch(/^ENOENT/);
    await expect(file.end()).resolves.toBeUndefined();
  });
});
