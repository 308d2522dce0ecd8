import { HarnessError } from '../errors.js';
import { describeTransfer, formatBytes, isFailedTransfer, type RunningTransfer, type Transfer, type TransferLog } from '../publish/transfer-log.js';
import type { WaitStrategy } from './wait-strategy.js';

/** What a transfer wait watches: the publisher's log of the boot. */
export interface TransferTarget {
  transfers: TransferLog;
}

/** A transfer ended short or failed, or one stopped moving: the boot cannot get its root. */
export class TransferWaitError extends HarnessError {
  constructor(
    readonly failure: 'transfer-failed' | 'transfer-stalled',
    message: string,
    readonly transfer: Transfer | RunningTransfer,
    /** When the deciding event happened (Date.now() based). */
    readonly atMs: number = Date.now(),
  ) {
    super('boot', message, {});
  }
}

/** Rejects on the first failed or incomplete transfer; never resolves (it only ends a race). */
export class TransferFailureWait implements WaitStrategy<TransferTarget, never> {
  readonly description = 'a failed or incomplete transfer';

  waitUntilReady({ transfers }: TransferTarget, signal?: AbortSignal): Promise<never> {
    return new Promise<never>((_, reject) => {
      const stop = () => {
        transfers.off('transfer', onTransfer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onTransfer = (t: Transfer) => {
        if (!isFailedTransfer(t)) return;
        stop();
        reject(new TransferWaitError('transfer-failed', `transfer failed: ${describeTransfer(t)}`, t));
      };
      const onAbort = () => {
        stop();
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      transfers.on('transfer', onTransfer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Rejects when a running transfer has sent no byte for `stallMs`: curl in the initrd has no
 * timeout of its own and would wait for ever. Never resolves.
 */
export class TransferStallWait implements WaitStrategy<TransferTarget, never> {
  constructor(
    readonly stallMs: number,
    private readonly pollMs = 1_000,
  ) {
    if (!(stallMs > 0)) throw new RangeError(`stallMs must be a positive number, got ${stallMs}`);
  }

  get description(): string {
    return `a transfer that sends no byte for ${Math.round(this.stallMs / 1000)} s`;
  }

  waitUntilReady({ transfers }: TransferTarget, signal?: AbortSignal): Promise<never> {
    return new Promise<never>((_, reject) => {
      const stop = () => {
        clearInterval(poll);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        stop();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const poll = setInterval(() => {
        for (const t of transfers.running) {
          const idleMs = Date.now() - t.lastProgressAtMs;
          if (idleMs < this.stallMs) continue;
          stop();
          const size = t.sizeBytes !== undefined ? ` of ${formatBytes(t.sizeBytes)}` : '';
          const message = `transfer stalled: ${t.protocol} ${t.method} ${t.path} sent no byte for ${Math.round(idleMs / 1000)} s after ${formatBytes(t.bytesSent)}${size}`;
          return reject(new TransferWaitError('transfer-stalled', message, t));
        }
      }, this.pollMs);
      poll.unref();
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
