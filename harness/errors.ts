/**
 * The one error type of the harness (after execa's): a short message, the full context in
 * fields, and the cause. `kind` decides the exit code and the verdict class:
 *  - input: the user's input is wrong (exit 2), e.g. an ISO that is not an ISO;
 *  - host: the machine lacks something or misbehaves (exit 2), e.g. no qemu-system-x86_64;
 *  - boot: the guest did not do what it had to (a FAIL of the scenario);
 *  - infra: the harness's own plumbing failed mid-run (an ERROR, never a PASS).
 */
export type ErrorKind = 'input' | 'host' | 'boot' | 'infra';

export interface ErrorContext {
  /** The boot phase the console was in, e.g. "iso-transfer". */
  phase?: string;
  /** What was awaited, e.g. the regular expression of a wait. */
  pattern?: string;
  timeoutMs?: number;
  /** The last lines of the cleaned serial console. */
  tail?: string[];
  /** Where the full log is. */
  logPath?: string;
  /** The input at fault and how to fix it (input/host errors). */
  input?: string;
  fix?: string;
}

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly kind: ErrorKind;
  readonly context: ErrorContext;

  constructor(kind: ErrorKind, message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.context = context;
  }

  /** The message with its context, as printed for a human. */
  get details(): string {
    const c = this.context;
    const lines = [this.message];
    if (c.input) lines.push(`  input: ${c.input}`);
    if (c.fix) lines.push(`  fix: ${c.fix}`);
    if (c.phase) lines.push(`  phase: ${c.phase}`);
    if (c.pattern) lines.push(`  awaited: ${c.pattern}`);
    if (c.timeoutMs !== undefined) lines.push(`  timeout: ${Math.round(c.timeoutMs / 1000)} s`);
    if (c.logPath) lines.push(`  log: ${c.logPath}`);
    if (c.tail?.length) lines.push(`  last ${c.tail.length} console lines:`, ...c.tail.map((l) => `    | ${l}`));
    if (this.cause instanceof Error) lines.push(`  cause: ${this.cause.message}`);
    return lines.join('\n');
  }
}

export const inputError = (message: string, input: string, fix: string, cause?: unknown) =>
  new HarnessError('input', message, { input, fix }, { cause });

export const hostError = (message: string, fix: string, cause?: unknown) =>
  new HarnessError('host', message, { fix }, { cause });

export const isHarnessError = (e: unknown): e is HarnessError => e instanceof HarnessError;
