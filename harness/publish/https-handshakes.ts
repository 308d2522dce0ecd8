import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { connectionName } from './connection-names.js';
import type { TransferLog } from './transfer-log.js';

/** What the server saw of a TLS connection once its handshake completed. */
interface Secured {
  tls: TLSSocket;
  atMs: number;
  /** The server closed it for idleness (its socket timed out). */
  timedOut: boolean;
}

/**
 * A client that refuses the certificate never sends a request: the failed handshake, with the
 * alert the client sent, is the only trace of its attempt, so it goes into the log as `untrusted`.
 * Only a client that sent bytes attempted one: a connection closed or timed out without a byte (a
 * port scan, a probe of the forward) is no transfer and must not fail the scenario. A plain HTTP
 * request on the https port did send bytes, and is logged with the error that names it ("http
 * request").
 *
 * A connection whose handshake completed is a refused certificate only when the client closed it
 * having exchanged nothing, before the server's own timeouts (`withinMs`, the handshake's and
 * the headers' time): curl 8 under TLS 1.3 checks the certificate after the handshake and just
 * closes. One on which the server answered (400, 408, 431: Node's answers to a bad, slow or
 * oversized request; 408 is also what an idle connection gets) or which it closed for idleness is
 * no refused certificate, and is not logged at all: it carried no request, so there is no path
 * and nothing that was to be delivered, and plain http logs none of these either. A guest whose
 * fetch fails so fails visibly in the guest.
 */
export function logFailedHandshakes(server: Server, log: TransferLog, withinMs: number): void {
  const secured = new WeakMap<object, Secured>();
  const settled = new WeakSet<object>();
  const logFailure = (raw: Socket, reason: string) => {
    if (settled.has(raw) || !(raw.bytesRead > 0)) return;
    settled.add(raw);
    try {
      log.begin({ protocol: 'https', method: 'TLS', path: `handshake failed: ${reason}`, client: connectionName(raw) }).end(0, 'untrusted');
    } catch {
      // The log could not be written (TransferLog.writeErrors has it); the connection is gone.
    }
  };
  server.on('connection', (socket: Socket) => {
    socket.once('close', () => {
      const secure = secured.get(socket);
      if (!secure) return logFailure(socket, `the client closed the TLS connection during the handshake, after sending ${socket.bytesRead} bytes`);
      if (refusedAfterHandshake(secure, withinMs)) {
        logFailure(socket, `the client closed the TLS connection without a request, right after the handshake (it did not accept the certificate?)`);
      } else settled.add(socket);
    });
  });
  server.on('secureConnection', (tls: TLSSocket) => {
    const secure: Secured = { tls, atMs: Date.now(), timedOut: false };
    secured.set(rawOf(tls), secure);
    tls.on('timeout', () => (secure.timedOut = true));
  });
  server.on('request', (req: { socket: Socket }) => settled.add(rawOf(req.socket)));
  server.on('tlsClientError', (error: Error, socket: Socket) => {
    // The TLS socket reads through the accepted TCP socket, whose count is of the client's bytes.
    logFailure(rawOf(socket), opensslReason(error.message));
  });
}

/** The client closed a secure connection on which neither side sent a byte of HTTP, before any timeout of the server's. */
function refusedAfterHandshake(secure: Secured, withinMs: number): boolean {
  return secure.tls.bytesRead === 0 && secure.tls.bytesWritten === 0 && !secure.timedOut && Date.now() - secure.atMs < withinMs;
}

const rawOf = (socket: Socket) => (socket as unknown as { _parent?: Socket })._parent ?? socket;

/**
 * The reason of an OpenSSL error without its code, library, function and source position: Node 20
 * (OpenSSL 3) writes "800C8D28267F0000:error:0A000418:SSL routines:ssl3_read_bytes:tlsv1 alert
 * unknown ca:../ssl/record/rec_layer_s3.c:1605:SSL alert number 48" or, without the thread and
 * position, "error:0A000416:SSL routines::sslv3 alert certificate unknown". Any other message
 * (a socket's) is kept as it is.
 */
export function opensslReason(message: string): string {
  const reason = /(?:^|:)error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/.exec(message)?.[1];
  return (reason ?? message).trim();
}
