import type { Socket } from 'node:net';

/** Why the server closed every connection when its publisher stopped (HttpConnection.closedByServer). */
export const PUBLISHER_STOPPED = 'the publisher stopped';

/** Socket errors that mean the client went away, not that the server gave up on it. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** One request of a connection, as its queue starts it or gives it up. */
export interface QueuedExchange {
  /** Answers the request; calls `over` once its response has finished or its connection is gone. */
  start(over: () => void): void;
  /**
   * Logs the request as never answered: its connection ended before its turn came, closed by
   * the client, or by the server when `closedByServer` (why it did) is given.
   */
  abandon(closedByServer?: string): void;
}

/**
 * The requests of one HTTP connection, answered strictly one after the other. Node's server
 * hands over every pipelined request as soon as it has parsed it; answered all at once, each
 * opened the file and began a transfer that stayed running while it waited behind the first
 * (the stall watchdog then saw stalls that were queues). Here a request waits, holding nothing
 * but its place, until the one before it is over; at most `maxQueued` wait: the request after
 * that is refused and the connection closed, so that neither file handles nor transfers nor
 * memory grow with what a client keeps pipelining.
 */
export class HttpConnection {
  /** Why the server itself closed the connection, if it did: the client then did not hang up early. */
  closedByServer: string | undefined;
  /** True once the connection is refused: requests Node still parses from its buffer are dropped. */
  private refused = false;
  private busy = false;
  private readonly waiting: QueuedExchange[] = [];

  constructor(
    readonly socket: Socket,
    private readonly maxQueued: number,
  ) {
    socket.once('close', () => this.abandonWaiting());
    // Node's own listeners run first and destroy the socket when it decides to close it (idle
    // timeout, a malformed or too slow request): that makes the close the server's doing.
    socket.on('timeout', () => {
      if (socket.destroyed) this.closedByServer ??= `no byte moved for ${socket.timeout} ms (idle timeout)`;
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!CLIENT_GONE.has(error.code ?? '')) this.closedByServer ??= `closed on ${error.code ?? 'error'}: ${error.message}`;
    });
  }

  /** Answers the exchange now, or after those before it; refuses it when too many wait. */
  submit(exchange: QueuedExchange): void {
    if (this.refused) return;
    // Node parses the rest of a buffer after the socket is gone: such a request is never answered.
    if (this.socket.destroyed) return exchange.abandon(this.closedByServer);
    if (!this.busy) return this.run(exchange);
    if (this.waiting.length < this.maxQueued) {
      this.waiting.push(exchange);
      return;
    }
    // HTTP answers in order: no refusal can be written before the answers queued ahead of it,
    // so the refusal is the closed connection, and the log says which request it was.
    this.refused = true;
    this.closeByServer(`more than ${this.maxQueued} pipelined requests waited for an answer`);
    exchange.abandon(this.closedByServer);
  }

  /** Closes the connection from the server's side and says why (a cut, a refusal, a timeout, a stop). */
  closeByServer(reason: string): void {
    this.closedByServer ??= reason;
    this.socket.destroy();
  }

  private run(exchange: QueuedExchange): void {
    this.busy = true;
    let over = false;
    exchange.start(() => {
      if (over) return;
      over = true;
      this.busy = false;
      const next = this.socket.destroyed ? undefined : this.waiting.shift();
      if (next) this.run(next);
    });
  }

  private abandonWaiting(): void {
    for (const exchange of this.waiting.splice(0)) exchange.abandon(this.closedByServer);
  }
}

/** The connections of one server, by the socket its requests arrive on (a TLS socket for https). */
export class HttpConnections {
  private readonly bySocket = new Map<Socket, HttpConnection>();

  constructor(private readonly maxQueued: number) {}

  of(socket: Socket): HttpConnection {
    let connection = this.bySocket.get(socket);
    if (!connection) {
      connection = new HttpConnection(socket, this.maxQueued);
      this.bySocket.set(socket, connection);
      socket.once('close', () => this.bySocket.delete(socket));
    }
    return connection;
  }

  /** Closes every connection that has carried a request, as the server's own doing. */
  closeAll(reason: string): void {
    for (const connection of this.bySocket.values()) connection.closeByServer(reason);
  }
}
