import { HarnessError } from '../errors.js';
import { LOGIN_PROMPT } from './phases.js';

/** A user's shell prompt (user@host:dir# ), possibly followed by a kernel message on the same line. */
const USER_SHELL_PROMPT = /\S+@[\w.-]+:\S*[#$]\s*(?:\[\s*\d+\.\d+\].*)?$/;
/**
 * After the password: refused, or a prompt. The prompt line may run on with a kernel message
 * (printk lands on the console right after the prompt: seen on a real boot, "root@fixture:~#
 * [   85.338249] input: Power Button ..."), which a prompt-at-the-end pattern never sees.
 */
const AFTER_PASSWORD = /Login incorrect|[#$]\s*$|[#$]\s*\[\s*\d+\.\d+\]/;
import { ConsoleWaitError, waitForConsole, type WaitTarget } from './wait.js';

export interface Credentials {
  user: string;
  password: string;
}

/** KIWI's own test images use root/linux; other ISOs pass theirs with --login user:password. */
export const DEFAULT_CREDENTIALS: Credentials = { user: 'root', password: 'linux' };

export interface CommandResult {
  command: string;
  exitCode: number;
  output: string;
}

export interface SerialShellOptions {
  credentials?: Credentials;
  loginTimeoutMs?: number;
}

let sessionCounter = 0;

/**
 * A root shell on the serial console (the way openQA's script_run and the NixOS test driver's
 * succeed() work): log in at the login prompt, then run commands framed by markers and read back
 * their output and exit status. Knows the console only through a WaitTarget and a writer.
 */
export class SerialShell {
  private counter = 0;
  private readonly tag = `${process.pid.toString(36)}${(sessionCounter++).toString(36)}`;

  private constructor(
    private readonly target: WaitTarget,
    private readonly write: (text: string) => void,
  ) {}

  /** Logs in; the login prompt must be on screen or come within loginTimeoutMs. */
  static async login(target: WaitTarget, write: (text: string) => void, options: SerialShellOptions = {}): Promise<SerialShell> {
    const { user, password } = options.credentials ?? DEFAULT_CREDENTIALS;
    const timeoutMs = options.loginTimeoutMs ?? 60_000;
    const shell = new SerialShell(target, write);
    const common = { timeoutMs, failOn: [], partialLine: true } as const;
    const fromLine = target.console.lines.length;
    try {
      // A fresh prompt: a newline makes getty print it again if it scrolled away. A shell prompt
      // instead means an earlier attempt did log in (its prompt was lost in kernel messages).
      write('\n');
      const first = await waitForConsole(target, new RegExp(`${LOGIN_PROMPT.source}|${USER_SHELL_PROMPT.source}`), { ...common, fromLine: Math.max(0, fromLine - 1) });
      if (USER_SHELL_PROMPT.test(first.text) && !LOGIN_PROMPT.test(first.text)) {
        await shell.run('stty -echo; dmesg -n 1 2>/dev/null; export TERM=dumb PAGER=cat SYSTEMD_PAGER=', { timeoutMs });
        return shell;
      }
      write(`${user}\n`);
      await waitForConsole(target, /Password:/, { ...common, fromLine });
      write(`${password}\n`);
      const after = await waitForConsole(target, AFTER_PASSWORD, { ...common, fromLine });
      if (/Login incorrect/.test(after.text)) {
        // Says who was refused and what the console answered, and how to pass other credentials.
        throw new HarnessError('boot', `serial login as "${user}" was refused: the console answered "${after.text.trim()}"; pass the ISO's credentials with --login USER:PASSWORD`, {
          phase: 'login',
          tail: target.console.tail(30),
          fix: 'pass the ISO\'s credentials with --login user:password',
        });
      }
    } catch (error) {
      if (error instanceof ConsoleWaitError) {
        throw new HarnessError('boot', `serial login as "${user}" failed: ${error.message} (other credentials: --login USER:PASSWORD)`, error.context, { cause: error });
      }
      throw error;
    }
    // No echo of typed commands, no kernel messages in the output of commands.
    await shell.run('stty -echo; dmesg -n 1 2>/dev/null; export TERM=dumb PAGER=cat SYSTEMD_PAGER=', { timeoutMs });
    return shell;
  }

  /** Runs a shell command and returns its output and exit status (non-zero is not an error). */
  async run(command: string, { timeoutMs = 60_000 } = {}): Promise<CommandResult> {
    if (command.includes('\n')) throw new RangeError('one command line at a time, without newlines');
    const id = `${this.tag}x${this.counter++}`;
    // The markers are typed split by quotes, so the echo of the typed line never matches them.
    const begin = `PXEB${id}`;
    const end = `PXEE${id}`;
    const fromLine = this.target.console.lines.length;
    this.write(`echo PXEB''${id}; ${command}; echo PXEE''${id}:$?\n`);
    const options = { timeoutMs, failOn: [], partialLine: false, fromLine } as const;
    try {
      // With echo off the marker follows the prompt on the same line: anchor it at the end only.
      const first = await waitForConsole(this.target, new RegExp(`${begin}$`), options);
      const last = await waitForConsole(this.target, new RegExp(`${end}:(\\d+)`), options);
      const lines = this.target.console.lines;
      const startIndex = lines.findIndex((l, i) => i >= fromLine && l.tMs === first.tMs && l.text === first.text);
      const endIndex = lines.findIndex((l, i) => i > startIndex && l.text.includes(`${end}:`));
      const endLine = lines[endIndex]!.text;
      // Output that did not end with a newline shares the line with the end marker.
      const body = lines.slice(startIndex + 1, endIndex).map((l) => l.text);
      const beforeMarker = endLine.slice(0, endLine.indexOf(end));
      if (beforeMarker) body.push(beforeMarker);
      return { command, exitCode: Number(last.match[1]), output: body.join('\n') };
    } catch (error) {
      if (error instanceof ConsoleWaitError) {
        throw new HarnessError('boot', `command on the serial console did not finish: ${command}: ${error.message}`, error.context, { cause: error });
      }
      throw error;
    }
  }

  /** Asks the guest to power off; QEMU exits when it has (it runs with -no-reboot). */
  poweroff(): void {
    this.write('systemctl poweroff\n');
  }

  /** Runs a command that must succeed; returns its output. */
  async succeed(command: string, options?: { timeoutMs?: number }): Promise<string> {
    const result = await this.run(command, options);
    if (result.exitCode !== 0) {
      throw new HarnessError('boot', `command failed with status ${result.exitCode}: ${command}\n${result.output}`, { phase: 'login' });
    }
    return result.output;
  }
}
