import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { notReadyGate, type PublishFault } from './faults.js';
import { HttpConnections, PUBLISHER_STOPPED } from './http-connection.js';
import { logFailedHandshakes } from './https-handshakes.js';
import { exchangeOf, type ExchangeContext } from './http-exchange.js';
import type { PublishedFiles } from './published-files.js';
import type { Publisher } from './publisher.js';
import { SocketFolder } from './socket-folder.js';
import type { TransferLog } from './transfer-log.js';

/** What one client may hold of the publisher, so that no client (a scan, a flood) can wear it out. */
export interface HttpLimits {
  /** Connections open at once; Node closes any further one as soon as it is accepted. */
  maxConnections: number;
  /** Pipelined requests that may wait behind the one being answered before the connection is refused. */
  maxQueuedRequests: number;
  /** Time to complete the TLS handshake and then each request's headers (GET has no body). */
  headersTimeoutMs: number;
  /** A connection on which no byte moves either way for this long is closed (except a stall fault's). */
  idleTimeoutMs: number;
  /** How long a connection may wait, idle, for its next request. */
  keepAliveTimeoutMs: number;
}

/**
 * The guest opens one connection per file (curl in KIWI's initrd, lpxelinux), so 64 is ample. The
 * idle timeout is twice the harness's stall verdict (30 s): a stalled transfer is judged before
 * the server gives up on it.
 */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  maxConnections: 64,
  maxQueuedRequests: 8,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
};

export interface HttpPublisherOptions {
  guestPort?: number;
  fault?: PublishFault;
  /** Serve https with this certificate. */
  tls?: { cert: Buffer; key: Buffer };
  limits?: Partial<HttpLimits>;
}

/**
 * A plain HTTP/1.1 file server for the published files only, on a UNIX socket in a folder of its
 * own (socket-folder.ts: the guest's relay reaches it, no TCP port does). Written on node:http
 * rather than a static-file middleware because the harness must count every byte it sends and
 * know whether a transfer ended complete or was cut: that accounting is the evidence of a deploy.
 */
export async function startHttpPublisher(files: PublishedFiles, log: TransferLog, options: HttpPublisherOptions = {}): Promise<Publisher> {
  const protocol = options.tls ? 'https' : 'http';
  const standardPort = options.tls ? 443 : 80;
  const guestPort = options.guestPort ?? standardPort;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const context: ExchangeContext = { files, log, fault: options.fault, notReady: notReadyGate(options.fault), protocol };
  const connections = new HttpConnections(limits.maxQueuedRequests);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const connection = connections.of(req.socket);
    connection.submit(exchangeOf(context, connection, req, res));
  };
  const server = createHttpServer(limits, options.tls, handler);
  if (options.tls) logFailedHandshakes(server, log, limits.headersTimeoutMs);
  // Every accepted socket, with or without a request or a handshake, so that stop() closes all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const folder = await SocketFolder.create();
  const hostSocket = await folder.listen(server, `${protocol}.sock`).catch(async (error: unknown) => {
    await folder.remove();
    throw error;
  });
  let stopping: Promise<void> | undefined;
  // Resolves once the server is closed, its folder gone, and every transfer the stop cut is in the log.
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      connections.closeAll(PUBLISHER_STOPPED);
      for (const socket of sockets) socket.destroy();
    }).then(async () => {
      await folder.remove();
      await log.settled();
    }));
  return {
    protocol,
    forwards: [{ guestPort, hostSocket }],
    transfers: log,
    url: (guestHost, urlPath) => `${protocol}://${guestHost}${guestPort === standardPort ? '' : `:${guestPort}`}${urlPath}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function createHttpServer(limits: HttpLimits, tls: HttpPublisherOptions['tls'], handler: (req: IncomingMessage, res: ServerResponse) => void): Server {
  const httpOptions: ServerOptions = {
    // The request of a GET is its headers: the whole request gets no longer than they do.
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the two timeouts above only this often (30 s unless told).
    connectionsCheckingInterval: Math.max(1, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 3))),
  };
  const server = tls ? createTlsServer({ ...httpOptions, cert: tls.cert, key: tls.key, handshakeTimeout: limits.headersTimeoutMs }, handler) : createServer(httpOptions, handler);
  server.timeout = limits.idleTimeoutMs;
  // A connection over the cap is closed by Node at once, before any TLS or HTTP, and not logged:
  // it carried no request, and a guest's fetch refused this way fails in the guest, visibly.
  server.maxConnections = limits.maxConnections;
  return server;
}
