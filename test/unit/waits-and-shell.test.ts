import { describe, expect, it } from 'vitest';
import { ConsoleLog } from '../../harness/console/console-log.js';
import { SerialShell } from '../../harness/console/serial-shell.js';
import { ConsoleWaitError, waitForConsole, type WaitTarget } from '../../harness/console/wait.js';
import { Wait } from '../../harness/wait/index.js';
import { BIOS_PXELINUX_KIWI } from '../helpers/console-knowledge.js';

const FAIL_SIGNATURES = BIOS_PXELINUX_KIWI.failSignatures;
import { HarnessError } from '../../harness/errors.js';
import { chunksOf, FAILED_TRANSCRIPT, readTranscript } from '../helpers/transcripts.js';

function target(ended: Promise<string> = new Promise(() => undefined)): WaitTarget & { log: ConsoleLog } {
  const log = new ConsoleLog();
  return { log, console: log, ended, phase: () => 'test-phase' };
}

async function feed(log: ConsoleLog, bytes: Buffer) {
  for (const chunk of chunksOf(bytes, 4096)) {
    log.push(chunk);
    await new Promise((r) => setImmediate(r));
  }
}

describe('console waits', () => {
  it('resolves on the login prompt of a real boot, which is a partial line', async () => {
    const t = target();
    const waiting = Wait.forLoginPrompt().withTimeout(5_000).waitUntilReady(t);
    await feed(t.log, readTranscript('ram-deploy-http.serial.log'));
    const match = await waiting;
    expect(match.text).toBe('vm login:');
  });

  it("rejects at dracut's FATAL line with the line, the phase, the pattern and the last 30 lines", async () => {
    const t = target();
    const waiting = Wait.forLoginPrompt().withTimeout(5_000).waitUntilReady(t).catch((e: unknown) => e);
    await feed(t.log, readTranscript(FAILED_TRANSCRIPT));
    const error = (await waiting) as ConsoleWaitError;
    expect(error).toBeInstanceOf(ConsoleWaitError);
    expect(error.failure).toBe('signature');
    expect(error.message).toContain('FATAL: Failed to mount live ISO device');
    expect(error.context.phase).toBe('test-phase');
    expect(error.context.pattern).toBe(String(/^[\w.-]+ login:/));
    expect(error.context.tail!.length).toBeGreaterThan(0);
    expect(error.context.tail!.length).toBeLessThanOrEqual(30);
  });

  it("rejects at pxelinux's bail message, quoting the load it gave up on, minutes before its reset", async () => {
    const t = target();
    const waiting = Wait.forLoginPrompt().withTimeout(5_000).withFailSignatures(FAIL_SIGNATURES).waitUntilReady(t).catch((e: unknown) => e);
    await feed(t.log, readTranscript('lpxelinux-initrd-bail.serial.log'));
    const error = (await waiting) as ConsoleWaitError;
    expect(error).toBeInstanceOf(ConsoleWaitError);
    expect(error.failure).toBe('signature');
    expect(error.signature?.id).toBe('pxe-boot-failed');
    expect(error.message).toContain('Boot failed: press a key to retry');
    expect(error.message).toContain('Loading http://10.0.2.100:8080/boot/initrd...');
  });

  it('rejects when the machine ends, saying so, not at the deadline', async () => {
    let end!: (reason: string) => void;
    const t = target(new Promise((r) => (end = r)));
    const started = Date.now();
    const waiting = waitForConsole(t, /never/, { timeoutMs: 60_000, partialLine: false, failOn: FAIL_SIGNATURES });
    end('QEMU exited with code 0');
    const error = (await waiting.catch((e: unknown) => e)) as ConsoleWaitError;
    expect(error.failure).toBe('ended');
    expect(error.message).toMatch(/^QEMU exited with code 0 before \/never\/ appeared/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("dates the failure at QEMU's exit, not at the end of the grace for the last console bytes", async () => {
    let end!: (reason: string) => void;
    const t = target(new Promise((r) => (end = r)));
    const waiting = waitForConsole(t, /never/, { timeoutMs: 60_000, partialLine: false, failOn: FAIL_SIGNATURES });
    const endedAt = Date.now();
    end('QEMU exited with code 1');
    const error = (await waiting.catch((e: unknown) => e)) as ConsoleWaitError;
    const judgedAt = Date.now();
    expect(error.atMs).toBeGreaterThanOrEqual(endedAt);
    expect(error.atMs - endedAt).toBeLessThan(100);
    expect(judgedAt - error.atMs).toBeGreaterThanOrEqual(190);
  });

  it('rejects at the deadline with a message that names the wait', async () => {
    const t = target();
    const error = (await waitForConsole(t, /never/, { timeoutMs: 50, partialLine: false, failOn: [] }).catch((e: unknown) => e)) as ConsoleWaitError;
    expect(error.failure).toBe('timeout');
    expect(error.message).toMatch(/no console line matched \/never\/ within 0 s \(phase: test-phase\)/);
  });

  it('rejects when the console falls silent, naming the silence and the phase, long before the deadline', async () => {
    const t = target();
    const waiting = Wait.forConsole(/never/).withTimeout(60_000).withSilenceLimit(300).waitUntilReady(t).catch((e: unknown) => e);
    // Output keeps the watchdog quiet...
    for (let i = 0; i < 4; i++) {
      t.log.push(`line ${i}\n`);
      await new Promise((r) => setTimeout(r, 150));
    }
    // ...and silence ends the wait.
    const error = (await waiting) as ConsoleWaitError;
    expect(error.failure).toBe('silence');
    expect(error.message).toBe('no console output for 0 s (phase: test-phase)');
    expect(t.log.lines).toHaveLength(4);
  });

  it('rejects a nonsense timeout up front, quoting it', () => {
    expect(() => Wait.forConsole(/x/).withTimeout(-5)).toThrow(/got -5/);
  });
});

/** A pretend guest behind the serial console: getty, then a shell that answers framed commands. */
function fakeGuest(options: { password?: string; echo?: boolean; noise?: boolean; noisyPrompt?: boolean; loggedIn?: boolean } = {}) {
  const t = target();
  let state: 'login' | 'password' | 'shell' = options.loggedIn ? 'shell' : 'login';
  let echo = options.echo ?? true;
  const outputs: Record<string, [string, number]> = {
    'findmnt -rn -t iso9660 -o SOURCE,TARGET': ['/dev/ram0 /run/overlay/live', 0],
    'false': ['', 1],
    'printf abc': ['abc', 0],
  };
  t.log.push('\r\nDebian GNU/Linux forky/sid fixture ttyS0\r\n\r\nfixture login: ');
  const write = (text: string) => {
    for (const line of text.split('\n').slice(0, -1)) {
      setImmediate(() => {
        if (state === 'login') {
          if (!line) return t.log.push('\r\nfixture login: ');
          t.log.push(`${line}\r\nPassword: `);
          state = 'password';
        } else if (state === 'password') {
          if (line !== (options.password ?? 'linux')) {
            t.log.push('\r\nLogin incorrect\r\nfixture login: ');
            state = 'login';
            return;
          }
          // noisyPrompt: a kernel message lands right after the prompt, on the same line (seen on a real boot).
          t.log.push(`\r\n\x1b]3008;start=x\x1b\\root@fixture:~# ${options.noisyPrompt ? '[   85.338249] input: Power Button as /devices/LNXPWRBN:00/input/input3\r\n' : ''}`);
          state = 'shell';
        } else {
          if (echo) t.log.push(`${line}\r\n`);
          if (!line) return t.log.push('root@fixture:~# ');
          const m = /^echo PXEB''(\w+); (.*); echo PXEE''\1:\$\?$/.exec(line);
          if (!m) return t.log.push('bash: syntax error\r\nroot@fixture:~# ');
          const [, id, command] = m;
          if (command!.startsWith('stty -echo')) echo = false;
          const [out, status] = outputs[command!] ?? ['', 0];
          if (options.noise) t.log.push('[   99.000000] random kernel message\r\n');
          t.log.push(`PXEB${id}\r\n${out}${out && !out.endsWith('\n') && command !== 'printf abc' ? '\r\n' : ''}PXEE${id}:${status}\r\nroot@fixture:~# `);
        }
      });
    }
  };
  return { t, write };
}

describe('SerialShell', () => {
  it('logs in and returns the output and exit status of commands', async () => {
    const { t, write } = fakeGuest();
    const shell = await SerialShell.login(t, write, { loginTimeoutMs: 2_000 });
    expect(await shell.run('findmnt -rn -t iso9660 -o SOURCE,TARGET')).toEqual({
      command: 'findmnt -rn -t iso9660 -o SOURCE,TARGET',
      exitCode: 0,
      output: '/dev/ram0 /run/overlay/live',
    });
    expect((await shell.run('false')).exitCode).toBe(1);
    await expect(shell.succeed('false')).rejects.toThrow(/failed with status 1: false/);
  });

  it('logs in when a kernel message runs on from the shell prompt on the same line', async () => {
    const { t, write } = fakeGuest({ noisyPrompt: true });
    const shell = await SerialShell.login(t, write, { loginTimeoutMs: 2_000 });
    expect((await shell.run('printf abc')).output).toBe('abc');
  });

  it('takes an already logged-in shell (an earlier attempt whose prompt was lost) without typing the user as a command', async () => {
    const { t, write } = fakeGuest({ loggedIn: true });
    // What the console showed when an earlier attempt gave up: its prompt, then kernel messages.
    t.log.push('\r\nroot@fixture:~# [   85.338249] input: Power Button\r\n[  103.123] i2c i2c-0: Memory type 0x07 not supported yet\r\n');
    const typed: string[] = [];
    const shell = await SerialShell.login(t, (text) => { typed.push(text); write(text); }, { loginTimeoutMs: 2_000 });
    expect((await shell.run('printf abc')).output).toBe('abc');
    expect(typed).not.toContain('root\n');
  });

  it('keeps output that ends without a newline', async () => {
    const { t, write } = fakeGuest();
    const shell = await SerialShell.login(t, write, { loginTimeoutMs: 2_000 });
    expect((await shell.run('printf abc')).output).toBe('abc');
  });

  it('says so when the password is refused', async () => {
    const { t, write } = fakeGuest({ password: 'other' });
    const error = await SerialShell.login(t, write, { loginTimeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).message).toBe('serial login as "root" was refused: the console answered "Login incorrect"; pass the ISO\'s credentials with --login USER:PASSWORD');
  });

  it('fails with the wait that timed out when no login prompt comes', async () => {
    const t = target();
    const error = await SerialShell.login(t, () => undefined, { loginTimeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as HarnessError).message).toMatch(/^serial login as "root" failed: no console line matched .* \(other credentials: --login USER:PASSWORD\)$/);
  });
});
