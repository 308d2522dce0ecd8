import { EventEmitter } from 'node:events';
import { appendFileSync } from 'node:fs';

export type PublishProtocol = 'http' | 'https' | 'ftp';

/** One file transfer (or refused request) as the publishing server saw it. */
export interface Transfer {
  protocol: PublishProtocol;
  /** HTTP method or FTP verb (GET, HEAD, RETR), or TLS for a handshake that failed. */
  method: string;
  /** The path the client asked for, as it asked. */
  path: string;
  /** The protocol's status: HTTP 200/404/..., FTP 226/426/550. */
  status: number;
  /** True when the path is a published file and every byte of it was sent. */
  complete: boolean;
  bytesSent: number;
  /** Size of the published file, when the path is one. */
  sizeBytes?: number;
  startedAtMs: number;
  durationMs: number;
  client: string;
}

export interface ActiveTransfer {
  addBytes(count: number): void;
  end(status: number, complete: boolean): Transfer;
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

  begin(init: { protocol: PublishProtocol; method: string; path: string; client: string; sizeBytes?: number }): ActiveTransfer {
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
      end: (status, complete) => {
        if (ended) return ended;
        this.running.delete(running);
        ended = { ...init, status, complete, bytesSent, startedAtMs, durationMs: Date.now() - startedAtMs };
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

/** A request that should have moved a file and did not move all of it (HEAD asks for nothing). */
export const isFailedTransfer = (t: Transfer): boolean => t.method !== 'HEAD' && !t.complete;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

export function describeTransfer(t: Transfer): string {
  if (t.method === 'TLS') {
    return `${t.protocol} TLS ${t.path} (from ${t.client}), no request was made: does the client trust the publisher's certificate (rd.kiwi.live.curl_options)?`;
  }
  const size = t.sizeBytes !== undefined ? ` of ${formatBytes(t.sizeBytes)}` : '';
  const rate = t.durationMs > 0 && t.bytesSent > 0 ? `, ${(t.bytesSent / 1e6 / (t.durationMs / 1000)).toFixed(1)} MB/s` : '';
  return `${t.protocol} ${t.method} ${t.path} -> ${t.status}${t.complete ? ' complete' : ' INCOMPLETE'}, ${formatBytes(t.bytesSent)}${size} in ${(t.durationMs / 1000).toFixed(1)} s${rate}`;
}
