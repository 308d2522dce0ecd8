import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connectionName } from './connection-names.js';
import { closeAfterFlush, cuts, faultStream, type PublishFault } from './faults.js';
import { PUBLISHER_STOPPED, type HttpConnection, type QueuedExchange } from './http-connection.js';
import type { PublishedFile, PublishedFiles } from './published-files.js';
import type { ActiveTransfer, TransferLog, TransferOutcome, TransferStart } from './transfer-log.js';

/** What every request of one publisher is answered from. */
export interface ExchangeContext {
  files: PublishedFiles;
  log: TransferLog;
  fault: PublishFault | undefined;
  /** The not-ready fault's shared count (faults.ts). */
  notReady: () => boolean;
  protocol: 'http' | 'https';
}

/** What a request names: the path to log it under, the spelling asked when it differs, the published file if any. */
export interface RequestTarget {
  path: string;
  requestedPath?: string;
  file?: PublishedFile;
}

/**
 * Other spellings of a published path (`/image//x.iso`, `/image/x.iso/`, `/image/./x.iso`, escaped
 * letters, a query) are served, and logged under the file's own path with the spelling in
 * `requestedPath`. Served rather than refused: each names exactly one published file (resolved
 * textually, never on disk, so no spelling reaches anything unpublished), common servers accept
 * them, and a boot config that joins a prefix ending in / to a path starting with / must not fail
 * a boot over a doubled slash. Logged canonically because checks look a file up by its path.
 */
export function resolveTarget(files: PublishedFiles, requestTarget: string): RequestTarget {
  // Absolute form (GET http://host/path), which HTTP/1.1 servers must accept, names its path inside.
  const target = /^https?:\/\//i.test(requestTarget) ? requestTarget.replace(/^https?:\/\/[^/?#]*/i, '') : requestTarget;
  const rawPath = target.replace(/[?#].*$/s, '');
  let asked = rawPath;
  try {
    asked = decodeURIComponent(rawPath);
  } catch {
    // A malformed escape: looked up as sent, which matches no published path.
  }
  // Only a target starting with / is a path of this server (not `*`, not `image/x.iso`).
  const file = asked.startsWith('/') ? files.lookup(asked) : undefined;
  const path = file?.urlPath ?? asked;
  return { path, ...(requestTarget !== path ? { requestedPath: requestTarget } : {}), ...(file ? { file } : {}) };
}

/**
 * One request as its connection's queue handles it. Its transfer begins when its answer starts,
 * not when it was parsed: a request waiting behind another is not running (nor stalled).
 */
export function exchangeOf(context: ExchangeContext, connection: HttpConnection, req: IncomingMessage, res: ServerResponse): QueuedExchange {
  const client = connectionName(req.socket);
  const target = resolveTarget(context.files, req.url ?? '/');
  const init: TransferStart = {
    protocol: context.protocol,
    method: req.method ?? '?',
    path: target.path,
    ...(target.requestedPath !== undefined ? { requestedPath: target.requestedPath } : {}),
    client,
    ...(target.file ? { sizeBytes: target.file.sizeBytes } : {}),
    ...(req.headers['user-agent'] !== undefined ? { userAgent: req.headers['user-agent'] } : {}),
  };
  return {
    start: (over) => answer(context, connection, res, init, target.file, over),
    // 503, the status a refusal would have carried: the server closed the connection before this
    // request's turn (too many pipelined, a cut, a timeout, a stop). 0: no answer, the client left.
    // Either way no request was served; a HEAD asked for nothing.
    abandon: (closedByServer) => {
      // A log that cannot be written has recorded the failure (TransferLog.writeErrors); this
      // request's connection is gone or going, so there is no one left to tell.
      const end = endOrFail(context.log.begin(init), () => undefined);
      end(closedByServer ? 503 : 0, isHead(init) ? 'described' : 'refused', { bytesSent: 0, clientClosedEarly: !closedByServer, publisherStopped: closedByServer === PUBLISHER_STOPPED });
    },
  };
}

/**
 * The transfer's end, with a failure to write the log (a full disk) caught: thrown from a
 * response's handler or event it would end the whole harness. The log has recorded the failure
 * (TransferLog.writeErrors); `onFailure` tells the client what it can still be told.
 */
function endOrFail(transfer: ActiveTransfer, onFailure: () => void): ActiveTransfer['end'] {
  return (status, outcome, details) => {
    try {
      return transfer.end(status, outcome, details);
    } catch {
      onFailure();
      return transfer.end(status, outcome, details);
    }
  };
}

/** A client whose transfer could not be logged: a 500 if nothing was answered yet, else the connection closes. */
function answerLogFailure(connection: HttpConnection, res: ServerResponse): void {
  if (!res.headersSent && !res.destroyed) {
    const body = 'the transfer log cannot be written\n';
    res.writeHead(500, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).end(body);
  } else connection.closeByServer('the transfer log could not be written');
}

/** A HEAD asks about the file, not for it: its outcome is 'described', whatever the answer. */
const isHead = (init: TransferStart) => init.method === 'HEAD';

/** 404 says there is no such file; any other error status (a status fault's) is a refusal. */
const outcomeOfRefusal = (status: number): TransferOutcome => (status === 404 ? 'not-found' : 'refused');

function answer(context: ExchangeContext, connection: HttpConnection, res: ServerResponse, init: TransferStart, file: PublishedFile | undefined, over: () => void): void {
  const begun = context.log.begin(init);
  const transfer: ActiveTransfer = { addBytes: begun.addBytes, end: endOrFail(begun, () => answerLogFailure(connection, res)) };
  const { fault } = context;
  if (init.method !== 'GET' && init.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
    transfer.end(405, 'refused');
  } else if (file && fault?.kind === 'redirect' && !/[?&]moved(?:[=&]|$)/.test(init.requestedPath ?? '')) {
    // A redirect is a whole answer (complete), not a failed transfer: what the client does next decides.
    res.writeHead(fault.status, { Location: `${file.urlPath}?moved`, 'Content-Length': 0 }).end();
    transfer.end(fault.status, isHead(init) ? 'described' : 'redirected');
  } else if (file && context.notReady()) {
    res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'text/plain', 'Content-Length': 14 }).end('not ready yet\n');
    transfer.end(503, isHead(init) ? 'described' : 'ask-again');
  } else if (!file || fault?.kind === 'status') {
    const status = file && fault?.kind === 'status' ? fault.status : 404;
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end('not found\n');
    transfer.end(status, isHead(init) ? 'described' : outcomeOfRefusal(status));
  } else if (fault?.kind === 'cut' && fault.afterBytes === 0 && init.method === 'GET') {
    // Cut before the first byte: the connection closes before any answer, so no status line went
    // out (0), and the file is not even opened.
    connection.closeByServer('the cut fault closed it before any byte');
    transfer.end(0, 'partial', { bytesSent: 0 });
  } else {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.sizeBytes, 'Accept-Ranges': 'none' });
    if (init.method === 'HEAD') {
      res.end();
      transfer.end(200, 'described');
    } else sendFile(fault, connection, res, file, transfer);
  }
  // After sendFile's own listeners: a transfer ends before the next request's begins.
  res.once('finish', over);
  res.once('close', over);
}

/**
 * Streams the file through the fault and counts a chunk as sent only when its write's callback
 * reports it handed to the kernel: bytes still queued in the process when the client hangs up
 * were never written, and a transfer that passed every byte to Node is not complete for that.
 * Node calls back a write still pending when the socket is destroyed (a reset) without an error,
 * so a completion seen on a destroyed socket is not counted either (as ftp-send.ts does).
 */
function sendFile(fault: PublishFault | undefined, connection: HttpConnection, res: ServerResponse, file: PublishedFile, transfer: ActiveTransfer): void {
  const source = createReadStream(file.filePath, { highWaterMark: 1 << 20 });
  const shaped = faultStream(fault);
  const socket = connection.socket;
  let written = 0;
  source.on('error', (error) => connection.closeByServer(`reading ${file.filePath} failed: ${error.message}`));
  shaped.on('data', (chunk: Buffer) => {
    const more = res.write(chunk, (error) => {
      if (error || socket.destroyed) return;
      written += chunk.length;
      transfer.addBytes(chunk.length);
    });
    if (!more && !shaped.isPaused()) {
      shaped.pause();
      res.once('drain', () => shaped.resume());
    }
  });
  shaped.on('end', () => {
    if (!cuts(fault)) return void res.end();
    connection.closedByServer ??= 'the cut fault closed it';
    closeAfterFlush(res, res.socket);
  });
  source.pipe(shaped);
  if (fault?.kind === 'stall') {
    // A hung server keeps its connection open: the idle timeout must not end the fault it simulates.
    res.on('timeout', () => {});
  }
  const settle = () => {
    source.destroy();
    shaped.destroy();
    const whole = written === file.sizeBytes;
    // Not whole and not the server's doing: the client left, even when Node then reported the
    // answer finished (its last write was called back on a socket already destroyed).
    const clientClosedEarly = !whole && connection.closedByServer === undefined;
    transfer.end(200, whole ? 'whole' : 'partial', { bytesSent: written, clientClosedEarly, publisherStopped: !whole && connection.closedByServer === PUBLISHER_STOPPED });
  };
  // 'finish' is emitted by the callback of the answer's last write: every byte counted has left
  // the process (a write called back on a destroyed socket was not counted, so a reset while the
  // last chunk was queued is partial). A peer that resets the connection after the last write
  // completed is still logged complete: the server cannot know what its kernel delivered then,
  // and the harness proves delivery from the guest (its check of the ISO), not from this log.
  res.once('finish', settle);
  // 'close' before 'finish': the connection is gone. Every byte written is still complete (a fast
  // client hangs up as soon as it has Content-Length bytes, before end() is even called);
  // otherwise the client left early, unless the server closed it (a cut, a refusal, a timeout).
  res.once('close', settle);
}
