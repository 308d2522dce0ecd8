import { HarnessError } from '../errors.js';
import type { ConsoleLog } from './console-log.js';
import { LOGIN_PROMPT } from './phases.js';
import { FAIL_SIGNATURES, matchFailSignature, type FailSignature } from './signatures.js';

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

export interface WaitStrategy {
  readonly description: string;
  waitUntilReady(target: WaitTarget, signal?: AbortSignal): Promise<ConsoleMatch>;
}

/** A wait for a console line: `Wait.forConsole(/login:/).withTimeout(120_000)`. */
export class ConsoleWait implements WaitStrategy {
  private options: ConsoleWaitOptions = { timeoutMs: 60_000, partialLine: false, failOn: FAIL_SIGNATURES };

  constructor(readonly pattern: RegExp) {}

  get description(): string {
    return `console line matching ${this.pattern}`;
  }
  withTimeout(timeoutMs: number): this {
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number, got ${timeoutMs}`);
    this.options.timeoutMs = timeoutMs;
    return this;
  }
  withPartialLine(): this {
    this.options.partialLine = true;
    return this;
  }
  withFailSignatures(signatures: readonly FailSignature[]): this {
    this.options.failOn = signatures;
    return this;
  }
  fromLine(index: number): this {
    this.options.fromLine = index;
    return this;
  }
  /** Ends the wait when the console prints nothing for this long. */
  withSilenceLimit(silenceMs: number): this {
    if (!(silenceMs > 0)) throw new RangeError(`silenceMs must be a positive number, got ${silenceMs}`);
    this.options.silenceMs = silenceMs;
    return this;
  }

  waitUntilReady(target: WaitTarget, signal?: AbortSignal): Promise<ConsoleMatch> {
    return waitForConsole(target, this.pattern, this.options, signal);
  }
}

export const Wait = {
  forConsole: (pattern: RegExp) => new ConsoleWait(pattern),
  forLoginPrompt: () => new ConsoleWait(LOGIN_PROMPT).withPartialLine(),
};

/**
 * Resolves with the first console line matching `pattern`; rejects at once on a fail signature,
 * when the target ends (QEMU exited), or at the deadline, each with its own message and the
 * last 30 console lines.
 */
export function waitForConsole(
  target: WaitTarget,
  pattern: RegExp,
  options: ConsoleWaitOptions,
  signal?: AbortSignal,
): Promise<ConsoleMatch> {
  const log = target.console;
  return new Promise<ConsoleMatch>((resolve, reject) => {
    let done = false;
    const context = () => ({
      phase: target.phase(),
      pattern: String(pattern),
      timeoutMs: options.timeoutMs,
      tail: log.tail(30),
      ...(log.cleanPath ? { logPath: log.cleanPath } : {}),
    });
    let silenceTimer: NodeJS.Timeout | undefined;
    const armSilence = () => {
      if (!options.silenceMs) return;
      clearTimeout(silenceTimer);
      silenceTimer = setTimeout(
        () => finish(new ConsoleWaitError('silence', `no console output for ${Math.round(options.silenceMs! / 1000)} s (phase: ${target.phase()})`, context())),
        options.silenceMs,
      );
    };
    const finish = (error: Error | undefined, match?: ConsoleMatch) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(silenceTimer);
      log.off('line', onLine);
      log.off('partial', onPartial);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(match!);
    };
    const check = (text: string, tMs: number): boolean => {
      const hit = options.failOn.length ? matchFailSignature(text, options.failOn) : undefined;
      if (hit) {
        finish(
          new ConsoleWaitError('signature', `${hit.signature.meaning}: "${hit.line.trim()}"`, context(), hit.signature),
        );
        return true;
      }
      const match = pattern.exec(text);
      if (match) {
        finish(undefined, { text, tMs, match });
        return true;
      }
      return false;
    };
    const onLine = (line: { text: string; tMs: number }) => {
      armSilence();
      check(line.text, line.tMs);
    };
    const onPartial = (text: string) => {
      armSilence();
      if (options.partialLine) check(text, Date.now() - log.startedAtMs);
    };
    const onAbort = () => finish(new ConsoleWaitError('aborted', `wait for ${pattern} aborted`, context()));
    const timer = setTimeout(
      () =>
        finish(
          new ConsoleWaitError(
            'timeout',
            `no console line matched ${pattern} within ${Math.round(options.timeoutMs / 1000)} s (phase: ${target.phase()})`,
            context(),
          ),
        ),
      options.timeoutMs,
    );

    // Lines that are already there (from fromLine on) count too.
    if (options.fromLine !== undefined) {
      for (const line of log.lines.slice(options.fromLine)) if (check(line.text, line.tMs)) return;
    }
    if (options.partialLine && log.partial && check(log.partial, Date.now() - log.startedAtMs)) return;

    log.on('line', onLine);
    log.on('partial', onPartial);
    armSilence();
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    target.ended.then(
      (reason) => {
        const endedAtMs = Date.now();
        // Let the last bytes of the console arrive before judging: the deciding line is often the last.
        setTimeout(
          () => finish(new ConsoleWaitError('ended', `${reason} before ${pattern} appeared (phase: ${target.phase()})`, context(), undefined, endedAtMs)),
          200,
        );
      },
      () => undefined,
    );
  });
}
