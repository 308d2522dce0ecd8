import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';

/** aoe: ATA over Ethernet, served by vblade, which logs no transfers (the guest's proof stands alone). */
export type PublishProtocol = 'http' | 'https' | 'ftp' | 'aoe';

/** One file transfer (or refused request) as the publishing server saw it. */
export interface Transfer {
  protocol: PublishProtocol;
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
  /** The protocol's status: HTTP 200/404/..., FTP 226/426/550. */
  status: number;
  /**
   * The server's view only: the path is a published file, the server wrote every byte of it to
   * the connection, and the client did not close the connection before that. It is not proof that
   * the client received them (bytes may die in the kernel's buffers): the guest's check is.
   */
  complete: boolean;
  /** Bytes of the file the server wrote to the connection (handed to the kernel, not queued in the process). */
  bytesSent: number;
  /** The client closed or reset the connection before the server had written the whole answer. */
  clientClosedEarly?: boolean;
  /**
   * The server told the client to ask again later (HTTP 503 with Retry-After, FTP 450): a
   * transient refusal that a client which retries gets past, so no failed delivery by itself.
   */
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
  askAgain?: boolean;
}

export interface ActiveTransfer {
  /** Progress: bytes written so far (drives the stall watchdog and the status line). */
  addBytes(count: number): void;
  end(status: number, complete: boolean, outcome?: TransferEnd): Transfer;
}

export interface TransferStart {
  protocol: PublishProtocol;
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
  protocol: PublishProtocol;
  method: string;
  path: string;
  requestedPath?: string;
  sizeBytes?: number;
  bytesSent: number;
  startedAtMs: number;
  lastProgressAtMs: number;
}

export class TransferLog extends EventEmitter<{ transfer: [Transfer]; progress: [{ path: string; bytesSent: number }] }> {
  readonly transfers: Transfer[] = [];
  /** Transfers that have begun and not ended. */
  readonly running = new Set<RunningTransfer>();

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
      end: (status, complete, outcome = {}) => {
        if (ended) return ended;
        this.running.delete(running);
        const written = outcome.bytesSent ?? bytesSent;
        const early = outcome.clientClosedEarly ? { clientClosedEarly: true } : {};
        const again = outcome.askAgain ? { askAgain: true } : {};
        ended = { ...init, status, complete: complete && !outcome.clientClosedEarly, bytesSent: written, ...early, ...again, startedAtMs, durationMs: Date.now() - startedAtMs };
        this.transfers.push(ended);
        if (this.filePath) appendFileSync(this.filePath, JSON.stringify(ended) + '\n');
        this.emit('transfer', ended);
        return ended;
      },
    };
  }

  /** Transfers of one path. */
  of(path: string): Transfer[] {
    return this.transfers.filter((t) => t.path === path);
  }
}

/**
 * A request that should have moved a file and did not move all of it (HEAD asks for nothing; a
 * client told to ask again has not failed yet: whether it does ask again is the boot's to show).
 */
export const isFailedTransfer = (t: Transfer): boolean => t.method !== 'HEAD' && !t.complete && !t.askAgain;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function describeTransfer(t: Transfer): string {
  if (t.method === 'TLS') {
    return `${t.protocol} TLS ${t.path} (from ${t.client}), no request was made: does the client trust the publisher's certificate?`;
  }
  const rate = t.durationMs > 0 && t.bytesSent > 0 ? `, ${(t.bytesSent / 1e6 / (t.durationMs / 1000)).toFixed(1)} MB/s` : '';
  const from = t.offset ? ` from byte ${t.offset}` : '';
  const early = t.clientClosedEarly ? ', the client closed the connection early' : '';
  if (t.askAgain) return `${requestOf(t)}${from} -> ${t.status}, told to ask again later (not ready yet)`;
  return `${requestOf(t)}${from} -> ${t.status}${t.complete ? ' complete' : ' INCOMPLETE'}, ${formatBytes(t.bytesSent)}${sizeOf(t)} written in ${(t.durationMs / 1000).toFixed(1)} s${rate}${early}`;
}

/** A transfer that had not ended when the boot did, in the words of describeTransfer. */
export function describeRunningTransfer(t: RunningTransfer): string {
  return `${requestOf(t)} still running, ${formatBytes(t.bytesSent)}${sizeOf(t)} written so far`;
}

const requestOf = (t: Pick<Transfer, 'protocol' | 'method' | 'path' | 'requestedPath'>) =>
  `${t.protocol} ${t.method} ${t.path}${t.requestedPath !== undefined ? ` (asked as ${t.requestedPath})` : ''}`;
const sizeOf = (t: { sizeBytes?: number }) => (t.sizeBytes !== undefined ? ` of ${formatBytes(t.sizeBytes)}` : '');
