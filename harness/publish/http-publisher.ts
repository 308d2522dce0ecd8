import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { PublishedFiles } from './published-files.js';
import type { TransferLog } from './transfer-log.js';
import type { Publisher } from './publisher.js';
import { closeAfterFlush, cuts, faultStream, type PublishFault } from './faults.js';

/**
 * A plain HTTP/1.1 file server on 127.0.0.1 for the published files only. Written on node:http
 * rather than a static-file middleware because the harness must count every byte it sends and
 * know whether a transfer ended complete or was cut: that accounting is the evidence of a deploy.
 */
export async function startHttpPublisher(
  files: PublishedFiles,
  log: TransferLog,
  options: { guestPort?: number; fault?: PublishFault; /** serve https with this certificate */ tls?: { cert: Buffer; key: Buffer } } = {},
): Promise<Publisher> {
  const protocol = options.tls ? 'https' : 'http';
  const standardPort = options.tls ? 443 : 80;
  const guestPort = options.guestPort ?? standardPort;
  const handler = (req: IncomingMessage, res: ServerResponse) => serve(files, log, req, res, options.fault, protocol);
  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createServer(handler);
  if (options.tls) {
    // A client that refuses the certificate never sends a request: the failed handshake, with
    // the alert the client sent, is the only trace of its attempt, so it goes into the log.
    // The address is read at connect time: a socket the client has hung up on no longer has one.
    const clients = new WeakMap<object, string>();
    server.on('connection', (socket) => clients.set(socket, `${socket.remoteAddress}:${socket.remotePort}`));
    server.on('tlsClientError', (error, socket) => {
      const raw = (socket as unknown as { _parent?: object })._parent;
      const client = (raw && clients.get(raw)) ?? clients.get(socket) ?? 'unknown client';
      log.begin({ protocol, method: 'TLS', path: `handshake failed: ${error.message.replace(/^[^:]*routines:/, '').trim()}`, client }).end(0, false);
    });
  }
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    protocol,
    forwards: [{ guestPort, hostPort: port }],
    hostPort: port,
    transfers: log,
    url: (guestHost, urlPath) => `${protocol}://${guestHost}${guestPort === standardPort ? '' : `:${guestPort}`}${urlPath}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function serve(files: PublishedFiles, log: TransferLog, req: IncomingMessage, res: ServerResponse, fault: PublishFault | undefined, protocol: 'http' | 'https'): void {
  const client = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    path = req.url ?? '';
  }
  const file = req.method === 'GET' || req.method === 'HEAD' ? files.lookup(path) : undefined;
  const transfer = log.begin({ protocol, method: req.method ?? '?', path, client, ...(file ? { sizeBytes: file.sizeBytes } : {}) });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Length': 0 }).end();
    transfer.end(405, false);
    return;
  }
  if (!file || fault?.kind === 'status') {
    const status = file && fault?.kind === 'status' ? fault.status : 404;
    res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': 10 }).end('not found\n');
    transfer.end(status, false);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': file.sizeBytes, 'Accept-Ranges': 'none' });
  if (req.method === 'HEAD') {
    res.end();
    transfer.end(200, false);
    return;
  }
  const source = createReadStream(file.filePath, { highWaterMark: 1 << 20 });
  const stream = faultStream(fault);
  let sent = 0;
  stream.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    transfer.addBytes(chunk.length);
  });
  source.pipe(stream).pipe(res, { end: !cuts(fault) });
  if (cuts(fault)) stream.on('end', () => closeAfterFlush(res, res.socket));
  source.on('error', () => res.destroy());
  // 'finish': every byte was handed to the kernel. 'close' before that: the client went away,
  // which a fast client does as soon as it has Content-Length bytes, often before the pipe has
  // even called end(): complete then means every byte was written and none is still queued.
  const flushed = () => res.writableFinished || (res.writableLength === 0 && (res.socket?.writableLength ?? 0) === 0);
  res.on('finish', () => transfer.end(200, sent === file.sizeBytes));
  res.on('close', () => {
    const complete = sent === file.sizeBytes && flushed();
    source.destroy();
    stream.destroy();
    transfer.end(200, complete);
  });
}
