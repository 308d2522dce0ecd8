import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { FtpPublisherOptions } from '../../harness/publish/ftp-publisher.js';
import type { Publisher } from '../../harness/publish/publisher.js';

/** What an FTP publisher must be started with to be seen through a guest view. */
export type ViewedFtp = Required<Pick<FtpPublisherOptions, 'announcedAddress' | 'passivePorts' | 'firstPassivePort'>>;

/**
 * A publisher as the guest sees it, for a client that speaks only TCP (curl's FTP: --unix-socket
 * carries its control connection, never its data connection): a TCP port on 127.0.0.1 per guest
 * forward, each connection relayed to the forward's socket as slirp and the forward's relay do for
 * the guest. Test-only: the harness opens no TCP port. An FTP publisher announces the view's one
 * passive port (reserved before it starts) at 127.0.0.1.
 */
export class GuestView {
  /** The service's TCP port (the guest's 80, 443 or 21). */
  port = 0;
  private readonly servers: Server[] = [];
  private readonly relayed = new Set<Socket>();

  private constructor(readonly publisher: Publisher) {}

  static async start(startPublisher: (ftp: ViewedFtp) => Promise<Publisher>): Promise<GuestView> {
    const passive = createServer({ allowHalfOpen: true });
    const passivePort = await listen(passive);
    const publisher = await startPublisher({ announcedAddress: '127.0.0.1', passivePorts: 1, firstPassivePort: passivePort });
    const view = new GuestView(publisher);
    const [service, ...others] = publisher.forwards;
    view.relay(passive, others.find((f) => f.guestPort === passivePort)?.hostSocket);
    const front = createServer({ allowHalfOpen: true });
    view.port = await listen(front);
    view.relay(front, service!.hostSocket);
    return view;
  }

  /** Stops the relays, then the publisher. */
  async stop(): Promise<void> {
    for (const socket of this.relayed) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
    await this.publisher.stop();
  }

  private relay(server: Server, hostSocket: string | undefined): void {
    this.servers.push(server);
    if (!hostSocket) return void server.close();
    server.on('connection', (guest: Socket) => {
      const host = connect({ path: hostSocket, allowHalfOpen: true });
      for (const [a, b] of [[guest, host], [host, guest]] as const) {
        this.relayed.add(a);
        a.once('close', () => this.relayed.delete(a));
        // An error (a reset) on one side resets the other; an end is passed on by pipe().
        a.on('error', () => b.destroy());
        a.pipe(b);
      }
    });
  }
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
