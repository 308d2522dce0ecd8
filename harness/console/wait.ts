import { HarnessError } from '../errors.js';
import type { ConsoleLog } from './console-log.js';
import { matchFailSignature, type FailSignature, type SignatureHit } from './signatures.js';

/** What a wait watches; the machine provides it, but the console does not know the machine. */
export interface WaitTarget {
  console: ConsoleLog;
  /** Settles with a reason when waiting is pointless, e.g. "QEMU exited with code 0". */
  ended: Promise<string>;
  /** The boot phase now, for messages. */
  phase(): string;
}

export interface ConsoleMatch {
  text: string;
  tMs: number;
  match: RegExpExecArray;
}

export interface ConsoleWaitOptions {
  timeoutMs: number;
  /** Also match the unterminated last line: prompts never end with a newline. */
  partialLine: boolean;
  /** Signatures that end the wait with a failure; [] checks none. */
  failOn: readonly FailSignature[];
  /** Scan lines from this index on (default: only lines that arrive after the wait starts). */
  fromLine?: number;
  /** Fail when the console stays silent this long (a hung guest), instead of at the deadline. */
  silenceMs?: number;
}

/** Why a wait ended without its match: the signature seen, the machine ending, or the deadline. */
export type WaitFailure = 'signature' | 'ended' | 'timeout' | 'silence' | 'aborted';

export class ConsoleWaitError extends HarnessError {
  constructor(
    readonly failure: WaitFailure,
    message: string,
    context: HarnessError['context'],
    readonly signature?: FailSignature,
    /** When the deciding event happened (Date.now() based): the line, QEMU's exit, the deadline. */
    readonly atMs: number = Date.now(),
  ) {
    super('boot', message, context);
  }
}

/**
 * Resolves with the first console line matching `pattern`; rejects at once on a fail signature,
 * when the target ends (QEMU exited), when the console falls silent, or at the deadline, each
 * with its own message and the last 30 console lines. Lets go of the console when it settles.
 */
export function waitForConsole(target: WaitTarget, pattern: RegExp, options: ConsoleWaitOptions, signal?: AbortSignal): Promise<ConsoleMatch> {
  return new Promise<ConsoleMatch>((resolve, reject) => new ConsoleWatch(target, pattern, options, resolve, reject).start(signal));
}

/** One wait on the console: its listeners, timers and how each way of ending is worded. */
class ConsoleWatch {
  private done = false;
  private timer?: NodeJS.Timeout;
  private silenceTimer?: NodeJS.Timeout;
  private signal?: AbortSignal | undefined;
  private readonly onLine = (line: { text: string; tMs: number }) => {
    this.armSilence();
    this.check(line.text, line.tMs);
  };
  private readonly onPartial = (text: string) => {
    this.armSilence();
    if (this.options.partialLine) this.check(text, Date.now() - this.target.console.startedAtMs, false);
  };
  private readonly onAbort = () => this.fail('aborted', `wait for ${this.pattern} aborted`);

  constructor(
    private readonly target: WaitTarget,
    private readonly pattern: RegExp,
    private readonly options: ConsoleWaitOptions,
    private readonly resolve: (match: ConsoleMatch) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  start(signal?: AbortSignal): void {
    const { console: log } = this.target;
    const { timeoutMs } = this.options;
    this.timer = setTimeout(() => this.fail('timeout', `no console line matched ${this.pattern} within ${Math.round(timeoutMs / 1000)} s (phase: ${this.target.phase()})`), timeoutMs);
    // Lines that are already there (from fromLine on) count too.
    if (this.options.fromLine !== undefined) {
      for (const line of log.lines.slice(this.options.fromLine)) if (this.check(line.text, line.tMs)) return;
    }
    if (this.options.partialLine && log.partial && this.check(log.partial, Date.now() - log.startedAtMs, false)) return;
    log.on('line', this.onLine);
    log.on('partial', this.onPartial);
    this.armSilence();
    this.signal = signal;
    if (signal?.aborted) return this.onAbort();
    signal?.addEventListener('abort', this.onAbort, { once: true });
    this.target.ended.then(
      (reason) => {
        const endedAtMs = Date.now();
        // Let the last bytes of the console arrive before judging: the deciding line is often the last.
        setTimeout(() => this.fail('ended', `${reason} before ${this.pattern} appeared (phase: ${this.target.phase()})`, undefined, endedAtMs), 200);
      },
      () => undefined,
    );
  }

  /**
   * Fail signatures are judged on whole lines only: a line still arriving would be quoted cut off
   * in the verdict (seen: pxelinux's "failed: No such file or direct"). Its end comes with it.
   */
  private check(text: string, tMs: number, wholeLine = true): boolean {
    const hit = wholeLine && this.options.failOn.length ? matchFailSignature(text, this.options.failOn) : undefined;
    if (hit) {
      this.fail('signature', `${hit.signature.meaning}: "${hit.line.trim()}"${this.previousLine(hit)}`, hit.signature);
      return true;
    }
    const match = this.pattern.exec(text);
    if (!match) return false;
    if (this.settle()) this.resolve({ text, tMs, match });
    return true;
  }

  /** The line before a signature's line, when the signature asks for it (the line itself is the last). */
  private previousLine(hit: SignatureHit): string {
    if (!hit.signature.quotePreviousLine) return '';
    const lines = this.target.console.lines;
    let at = lines.length - 1 - (lines.at(-1)?.text === hit.line ? 1 : 0);
    while (at >= 0 && !lines[at]!.text.trim()) at--;
    return at >= 0 ? ` (after "${lines[at]!.text.trim()}")` : '';
  }

  private armSilence(): void {
    const { silenceMs } = this.options;
    if (!silenceMs) return;
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => this.fail('silence', `no console output for ${Math.round(silenceMs / 1000)} s (phase: ${this.target.phase()})`), silenceMs);
  }

  private fail(failure: WaitFailure, message: string, signature?: FailSignature, atMs?: number): void {
    if (this.settle()) this.reject(new ConsoleWaitError(failure, message, this.context(), signature, atMs));
  }

  /** Ends the wait once: clears timers and listeners; false when it had already ended. */
  private settle(): boolean {
    if (this.done) return false;
    this.done = true;
    clearTimeout(this.timer);
    clearTimeout(this.silenceTimer);
    this.target.console.off('line', this.onLine);
    this.target.console.off('partial', this.onPartial);
    this.signal?.removeEventListener('abort', this.onAbort);
    return true;
  }

  private context(): HarnessError['context'] {
    const log = this.target.console;
    return {
      phase: this.target.phase(),
      pattern: String(this.pattern),
      timeoutMs: this.options.timeoutMs,
      tail: log.tail(30),
      ...(log.cleanPath ? { logPath: log.cleanPath } : {}),
    };
  }
}
