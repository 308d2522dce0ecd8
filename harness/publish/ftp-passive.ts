import { createServer, type Server, type Socket } from 'node:net';
import { connectionName } from './connection-names.js';
import type { PortForward } from './publisher.js';
import type { SocketFolder } from './socket-folder.js';

/**
 * The FTP publisher's passive data ports: a small set opened at start and kept for the server's
 * life, because each needs a QEMU guest forward of its own, fixed before the guest boots. A port
 * is a guest port (announced in PASV/EPSV replies) whose forward relays to a UNIX socket of the
 * publisher's folder, `pasv-PORT.sock`: no TCP port is open on the host. Each port is leased to
 * one session for one data connection (one PASV/EPSV): the first connection to arrive on a leased
 * port is the lease's, any other is closed, and so is any connection to a port nobody leases. A
 * lease ends when its owner releases it or when it has waited dataTimeoutMs for a connection, or
 * for a transfer to use it.
 *
 * What a lease cannot do: tell the guest's connection from another process's that can reach the
 * folder (the harness's own user, root). The connection's name (`pasv-PORT.sock#N`) goes into the
 * transfer log so that a stranger's connection is on record (docs/ftp-publisher.md).
 */
export class PassivePorts {
  private constructor(private readonly ports: PassivePort[]) {}

  /** `count` ports, guest ports firstGuestPort onwards, listening in `folder`. */
  static async open(count: number, firstGuestPort: number, folder: SocketFolder, track: (socket: Socket) => void): Promise<PassivePorts> {
    const ports: PassivePort[] = [];
    try {
      for (let i = 0; i < count; i++) ports.push(await PassivePort.open(firstGuestPort + i, folder, track));
    } catch (error) {
      await Promise.all(ports.map((p) => p.close()));
      throw error;
    }
    return new PassivePorts(ports);
  }

  /** The guest forward of each port: its guest port to its socket. */
  get forwards(): PortForward[] {
    return this.ports.map((p) => ({ guestPort: p.port, hostSocket: p.hostSocket }));
  }

  /** A free port for one data connection, or undefined when every port is leased. */
  lease(timeoutMs: number): Lease | undefined {
    const free = this.ports.find((p) => !p.lease);
    if (!free) return undefined;
    free.lease = new Lease(free, timeoutMs);
    return free.lease;
  }

  async close(): Promise<void> {
    await Promise.all(this.ports.map((p) => p.close()));
  }
}

class PassivePort {
  lease: Lease | undefined;

  private constructor(
    readonly server: Server,
    /** The guest port announced for it. */
    readonly port: number,
    readonly hostSocket: string,
  ) {}

  static async open(port: number, folder: SocketFolder, track: (socket: Socket) => void): Promise<PassivePort> {
    const server = createServer();
    let opened: PassivePort | undefined;
    server.on('connection', (socket) => {
      track(socket);
      if (opened?.lease) opened.lease.accept(socket);
      else socket.destroy();
    });
    opened = new PassivePort(server, port, await folder.listen(server, `pasv-${port}.sock`));
    return opened;
  }

  close(): Promise<void> {
    this.lease?.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One data connection on one passive port, for the session that announced the port. */
export class Lease {
  /** The data connection's name (connection-names.ts), once it has connected. */
  peer: string | undefined;
  private socket: Socket | undefined;
  private released = false;
  private inUse = false;
  private timer: NodeJS.Timeout | undefined;
  private settle!: (socket: Socket | undefined) => void;
  private readonly connected = new Promise<Socket | undefined>((resolve) => (this.settle = resolve));

  constructor(
    private readonly owner: PassivePort,
    private readonly timeoutMs: number,
  ) {
    this.arm();
  }

  get port(): number {
    return this.owner.port;
  }

  accept(socket: Socket): void {
    if (this.socket || this.released) return void socket.destroy();
    this.socket = socket;
    this.peer = connectionName(socket);
    // Errors surface to the transfer as an early 'close'; without a listener they would throw.
    socket.on('error', () => undefined);
    // A connection the client drops before any transfer used it frees the port at once.
    socket.once('close', () => !this.inUse && this.release());
    this.arm();
    this.settle(socket);
  }

  /**
   * The data connection for a transfer, once the client has made it; undefined when the lease
   * ended first (released, timed out, or the client dropped the connection).
   */
  async connection(): Promise<Socket | undefined> {
    const socket = await this.connected;
    if (!socket || this.released || socket.destroyed) return undefined;
    // From here the transfer watches the connection for progress itself.
    clearTimeout(this.timer);
    this.inUse = true;
    return socket;
  }

  /** Ends the lease: closes its connection, if any, and frees the port. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.timer);
    this.socket?.destroy();
    if (this.owner.lease === this) this.owner.lease = undefined;
    this.settle(undefined);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.release(), this.timeoutMs);
  }
}
