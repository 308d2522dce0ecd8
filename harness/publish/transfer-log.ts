import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';


/**
 * What came of one request, as the publisher that served it judges it: the readers of the log
 * (checks, waits, verdicts) go by this and never by a protocol's status code.
 *  - whole: the server wrote the whole published file to the connection (its view only: what
 *    arrived is the guest's to prove);
 *  - partial: the server began answering with the file and did not write all of it (a cut, a
 *    stall, a client that closed early, a transfer that started at an offset);
 *  - described: the client asked about the file, not for it (HTTP HEAD), whatever the answer;
 *  - redirected: answered with a redirect to another URL (what the client does next decides);
 *  - ask-again: told to retry later (HTTP 503 with Retry-After, FTP 450): transient by its RFC;
 *  - not-found: no such file (HTTP 404, FTP 550);
 *  - refused: no request served: denied (another error status, a bad command sequence), a
 *    request dropped before its turn;
 *  - untrusted: the client refused the publisher's certificate in the TLS handshake, so no
 *    request was ever made (the live module's option to skip verification was not given).
 */
export type TransferOutcome = 'whole' | 'partial' | 'described' | 'redirected' | 'ask-again' | 'not-found' | 'refused' | 'untrusted';

/** One file transfer (or refused request) as the publishing server saw it. */
export interface Transfer {
  /** The publisher's protocol, as registered (a key of PUBLISHERS). */
  protocol: string;
  /** HTTP method or FTP verb (GET, HEAD, RETR), or TLS for a handshake that failed. */
  method: string;
  /**
   * The canonical path: the published file's own path when the request names one, whatever its
   * spelling (`/image//x.iso`, `/image/x.iso/`), else the path as asked.
   */
  path: string;
  /** The spelling the client used, when it differs from `path`. */
  requestedPath?: string;
  /** http(s): the client's User-Agent header, as sent. */
  userAgent?: string;
  /** What came of the request, as its publisher judges it: what readers of the log go by. */
  outcome: TransferOutcome;
  /** Evidence: the protocol's status as sent (HTTP 200/404/..., FTP 226/426/550; 0 for none). */
  status: number;
  /**
   * Evidence, derived from the outcome (whole, or a redirect, which is a whole answer): the
   * server's view only. It is not proof that the client received the bytes (they may die in the
   * kernel's buffers): the guest's check is.
   */
  complete: boolean;
  /** Bytes of the file the server wrote to the connection (handed to the kernel, not queued in the process). */
  bytesSent: number;
  /** The client closed or reset the connection before the server had written the whole answer. */
  clientClosedEarly?: boolean;
  /** The publisher was stopped while the transfer ran (the harness's own doing, not the client's): its outcome stays partial. */
  publisherStopped?: boolean;
  /** Evidence, set with the outcome ask-again: a transient refusal a client that retries gets past. */
  askAgain?: boolean;
  /** Where in the file the transfer started (an FTP REST or an HTTP range), when not at 0. */
  offset?: number;
  /** Size of the published file, when the path is one. */
  sizeBytes?: number;
  startedAtMs: number;
  durationMs: number;
  client: string;
}

export interface TransferEnd {
  /** The authoritative count of bytes written, when the publisher knows it better than the progress count. */
  bytesSent?: number;
  clientClosedEarly?: boolean;
  publisherStopped?: boolean;
}

export interface ActiveTransfer {
  /** Progress: bytes written so far (drives the stall watchdog and the status line). */
  addBytes(count: number): void;
  /** Ends the transfer with the publisher's judgement (outcome) and the status it sent as evidence. */
  end(status: number, outcome: TransferOutcome, details?: TransferEnd): Transfer;
}

export interface TransferStart {
  /** The publisher's protocol, as registered (a key of PUBLISHERS). */
  protocol: string;
  method: string;
  path: string;
  requestedPath?: string;
  offset?: number;
  client: string;
  sizeBytes?: number;
  /** http(s): the client's User-Agent header, as sent (evidence of the options it ran with). */
  userAgent?: string;
}

/**
 * The publishers' witness of every deploy: KIWI's initrd prints nothing about its fetch, so the
 * server's record of requests and bytes sent is the evidence. Appends JSON lines to a file and
 * emits 'transfer' when one ends and 'progress' while bytes flow.
 */
/** A transfer still running, as the stall watchdog sees it. */
export interface RunningTransfer {
  /** The publisher's protocol, as registered (a key of PUBLISHERS). */
  protocol: string;
  method: string;
  path: string;
  requestedPath?: string;
  sizeBytes?: number;
  bytesSent: number;
  startedAtMs: number;
  lastProgressAtMs: number;
}

/**
 * A write of the log file that failed (a full disk, a folder gone). The transfer is still in
 * `transfers` and was still emitted: only the file lacks its line. The engine and the publisher's
 * owner read `writeErrors` (or listen to 'write-error') to say the file on disk is incomplete.
 */
export interface LogWriteError {
  filePath: string;
  transfer: Transfer;
  error: Error;
}

export class TransferLog extends EventEmitter<{ transfer: [Transfer]; progress: [{ path: string; bytesSent: number }]; 'write-error': [LogWriteError] }> {
  readonly transfers: Transfer[] = [];
  /** Transfers that have begun and not ended. */
  readonly running = new Set<RunningTransfer>();
  /** Every failed write of the log file, in order (see LogWriteError). */
  readonly writeErrors: LogWriteError[] = [];

  constructor(readonly filePath?: string) {
    super();
  }

  begin(init: TransferStart): ActiveTransfer {
    const startedAtMs = Date.now();
    let bytesSent = 0;
    let ended: Transfer | undefined;
    const running: RunningTransfer = { ...init, bytesSent: 0, startedAtMs, lastProgressAtMs: startedAtMs };
    this.running.add(running);
    return {
      addBytes: (count) => {
        bytesSent += count;
        running.bytesSent = bytesSent;
        running.lastProgressAtMs = Date.now();
        this.emit('progress', { path: init.path, bytesSent });
      },
      end: (status, outcome, details = {}) => {
        if (ended) return ended;
        this.running.delete(running);
        const written = details.bytesSent ?? bytesSent;
        const early = details.publisherStopped ? { publisherStopped: true } : details.clientClosedEarly ? { clientClosedEarly: true } : {};
        const again = outcome === 'ask-again' ? { askAgain: true } : {};
        const complete = outcome === 'whole' || outcome === 'redirected';
        ended = { ...init, outcome, status, complete, bytesSent: written, ...early, ...again, startedAtMs, durationMs: Date.now() - startedAtMs };
        this.transfers.push(ended);
        const failure = this.append(ended);
        this.emit('transfer', ended);
        // Thrown after the transfer is recorded and emitted: its publisher decides what the
        // client is told (FTP answers 451, HTTP 500 or closes the connection); nothing is lost
        // but the file's line, which writeErrors keeps account of.
        if (failure) throw failure.error;
        return ended;
      },
    };
  }

  /** Appends the transfer to the file; a failure is recorded in writeErrors and returned, not thrown. */
  private append(transfer: Transfer): LogWriteError | undefined {
    if (!this.filePath) return undefined;
    try {
      appendFileSync(this.filePath, JSON.stringify(transfer) + '\n');
      return undefined;
    } catch (cause) {
      const failure = { filePath: this.filePath, transfer, error: cause instanceof Error ? cause : new Error(String(cause)) };
      this.writeErrors.push(failure);
      this.emit('write-error', failure);
      return failure;
    }
  }

  /**
   * Resolves once no transfer is running: a publisher's stop() waits here for the transfers it
   * cut to end (each within a few ticks of its connection's close), at most `maxMs`.
   */
  settled(maxMs = 2_000): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.off('transfer', check);
        clearTimeout(timer);
        resolve();
      };
      const check = () => this.running.size === 0 && done();
      const timer = setTimeout(done, maxMs);
      this.on('transfer', check);
      check();
    });
  }

  /** Transfers of one path. */
  of(path: string): Transfer[] {
    return this.transfers.filter((t) => t.path === path);
  }
}

/**
 * A request that should have moved a file and did not move all of it (a client that only asked
 * about the file asked for nothing; a redirect is a whole answer; a client told to ask again has
 * not failed yet: whether it does ask again is the boot's to show).
 */
export const isFailedTransfer = (t: Transfer): boolean => t.outcome === 'partial' || t.outcome === 'not-found' || t.outcome === 'refused' || t.outcome === 'untrusted';

/** A request for the file's bytes, not one that only asked about it (HTTP HEAD). */
export const isFetch = (t: Transfer): boolean => t.outcome !== 'described';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function describeTransfer(t: Transfer): string {
  if (t.outcome === 'untrusted') {
    return `${t.protocol} TLS ${t.path} (from ${t.client}), no request was made: does the client trust the publisher's certificate?`;
  }
  const rate = t.durationMs > 0 && t.bytesSent > 0 ? `, ${(t.bytesSent / 1e6 / (t.durationMs / 1000)).toFixed(1)} MB/s` : '';
  const from = t.offset ? ` from byte ${t.offset}` : '';
  const early = t.clientClosedEarly ? ', the client closed the connection early' : t.publisherStopped ? ', cut by the publisher stopping' : '';
  if (t.askAgain) return `${requestOf(t)}${from} -> ${t.status}, told to ask again later (not ready yet)`;
  // A HEAD (curl's probe, the hermeticity check's) asks for the headers only: no body is owed.
  if (t.outcome === 'described') return `${requestOf(t)} -> ${t.status}, headers only${sizeOf(t)}`;
  // The server's witness: what it wrote to the connection. Only the guest can say what arrived.
  return `${requestOf(t)}${from} -> ${t.status}${t.complete ? '' : ' INCOMPLETE'}, ${formatBytes(t.bytesSent)}${sizeOf(t)} written to the connection in ${(t.durationMs / 1000).toFixed(1)} s${rate}${early}`;
}

/** A transfer that had not ended when the boot did, in the words of describeTransfer. */
export function describeRunningTransfer(t: RunningTransfer): string {
  return `${requestOf(t)} still running, ${formatBytes(t.bytesSent)}${sizeOf(t)} written to the connection so far`;
}

const requestOf = (t: Pick<Transfer, 'protocol' | 'method' | 'path' | 'requestedPath'>) =>
  `${t.protocol} ${t.method} ${t.path}${t.requestedPath !== undefined ? ` (asked as ${t.requestedPath})` : ''}`;
const sizeOf = (t: { sizeBytes?: number }) => (t.sizeBytes !== undefined ? ` of ${formatBytes(t.sizeBytes)}` : '');
