import { LINUX_FAIL_SIGNATURES, type FailSignature } from '../console/signatures.js';
import { waitForConsole, type ConsoleMatch, type ConsoleWaitOptions, type WaitTarget } from '../console/wait.js';
import type { WaitStrategy } from './wait-strategy.js';

/** A wait for a console line: `Wait.forConsole(/login:/).withTimeout(120_000)`. */
export class ConsoleWait implements WaitStrategy<WaitTarget, ConsoleMatch> {
  private options: ConsoleWaitOptions = { timeoutMs: 60_000, partialLine: false, failOn: LINUX_FAIL_SIGNATURES };

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
