import { createServer, type Socket } from 'node:net';
import { notReadyGate, type PublishFault } from './faults.js';
import { PassivePorts } from './ftp-passive.js';
import { FtpSession, type SessionContext } from './ftp-session.js';
import type { PublishedFiles } from './published-files.js';
import type { Publisher } from './publisher.js';
import { SocketFolder } from './socket-folder.js';
import type { TransferLog } from './transfer-log.js';

/*
 * A read-only, passive-mode FTP server for the published files only (docs/ftp-publisher.md).
 *
 * Why not a library or a packaged daemon: ftp-srv, the usual Node choice, has had no release
 * since 2023 and pulls in `ip` 1.x (CVE-2023-42282); vsftpd or pyftpdlib would need a relay that
 * speaks FTP to count each RETR's bytes and inject faults, which is most of this server again.
 * The harness needs byte-exact accounting of each RETR (complete or cut), progress while it runs
 * and hooks for faults. The part of RFC 959/2428/3659 that curl uses to fetch one file (USER,
 * PASS, PWD, CWD, TYPE, SIZE, EPSV/PASV, REST, RETR, ABOR, QUIT) is small.
 *
 * Every port listens on a UNIX socket in the publisher's own folder (socket-folder.ts), the
 * control port on ftp.sock: the guest reaches them through its forwards, no TCP port is open.
 *
 * Layout: ftp-passive.ts leases the fixed passive ports, ftp-session.ts is one control
 * connection (its command queue), ftp-send.ts writes one file and counts what the kernel took.
 */
export interface FtpPublisherOptions {
  /** The address announced in PASV replies: the guest-side forward address. */
  announcedAddress: string;
  /** How many passive data ports to keep open: at most this many transfers at once. */
  passivePorts?: number;
  /** The guest port of the first passive data port, announced in PASV/EPSV; the others follow it. */
  firstPassivePort?: number;
  guestPort?: number;
  fault?: PublishFault;
  /** Control connections served at once; one more is answered 421 and closed. */
  maxSessions?: number;
  /** A control connection with no command for this long (and no transfer running) is closed. */
  idleTimeoutMs?: number;
  /**
   * How long a passive port waits for its connection, a connection for its transfer, and a
   * transfer for a client that reads nothing. Longer than the harness's 30 s stall watchdog, so
   * that a guest that stops reading is reported as a stall rather than cut here first.
   */
  dataTimeoutMs?: number;
}

/**
 * The passive ports are guest ports only (each forward relays to a socket), so any free ones of
 * the guest's service address do: 30000 onwards, clear of the service ports (21, 80, 443, 8080).
 */
export const FTP_DEFAULTS = { passivePorts: 4, firstPassivePort: 30_000, maxSessions: 16, idleTimeoutMs: 300_000, dataTimeoutMs: 60_000 } as const;

/** How long a refused connection may keep its 421 unread before it is dropped. */
const REFUSED_GRACE_MS = 1_000;

export async function startFtpPublisher(files: PublishedFiles, log: TransferLog, options: FtpPublisherOptions): Promise<Publisher> {
  const guestPort = options.guestPort ?? 21;
  const maxSessions = options.maxSessions ?? FTP_DEFAULTS.maxSessions;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const passive = passiveRange(options, guestPort);
  const folder = await SocketFolder.create();
  const ports = await PassivePorts.open(passive.count, passive.first, folder, track).catch(async (error: unknown) => {
    await folder.remove();
    throw error;
  });
  const context: SessionContext = {
    files,
    log,
    ports,
    announcedAddress: options.announcedAddress,
    fault: options.fault,
    notReady: notReadyGate(options.fault),
    idleTimeoutMs: options.idleTimeoutMs ?? FTP_DEFAULTS.idleTimeoutMs,
    dataTimeoutMs: options.dataTimeoutMs ?? FTP_DEFAULTS.dataTimeoutMs,
  };
  let sessions = 0;
  // Half-open allowed: a client that sends its last commands and shuts down its side still gets
  // every reply, in order, before the session closes.
  const control = createServer({ allowHalfOpen: true }, (socket) => {
    track(socket);
    if (sessions >= maxSessions) return refuse(socket);
    sessions++;
    socket.once('close', () => sessions--);
    new FtpSession(socket, context).start();
  });
  const hostSocket = await folder.listen(control, 'ftp.sock').catch(async (error: unknown) => {
    await ports.close();
    await folder.remove();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  // Resolves once every port is closed, the folder gone, and every transfer the stop cut is in the log.
  const stop = () =>
    (stopping ??= (async () => {
      context.stopping = true;
      for (const socket of sockets) socket.destroy();
      await Promise.all([ports.close(), new Promise<void>((r) => control.close(() => r()))]);
      await folder.remove();
      await log.settled();
    })());
  return {
    protocol: 'ftp',
    forwards: [{ guestPort, hostSocket }, ...ports.forwards],
    transfers: log,
    url: (guestHost, urlPath) => `ftp://${guestHost}${guestPort === 21 ? '' : `:${guestPort}`}${urlPath}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** The passive ports' guest range, which must fit in 1..65535 and leave the control port out. */
function passiveRange(options: FtpPublisherOptions, guestPort: number): { first: number; count: number } {
  const first = options.firstPassivePort ?? FTP_DEFAULTS.firstPassivePort;
  const count = options.passivePorts ?? FTP_DEFAULTS.passivePorts;
  const last = first + count - 1;
  if (!Number.isInteger(first) || !Number.isInteger(count) || count < 1 || first < 1 || last > 65535 || (guestPort >= first && guestPort <= last)) {
    throw new RangeError(`bad passive ports: ${count} from ${first} (control port ${guestPort})`);
  }
  return { first, count };
}

function refuse(socket: Socket): void {
  socket.on('error', () => socket.destroy());
  socket.end('421 too many connections, try again later\r\n');
  setTimeout(() => socket.destroy(), REFUSED_GRACE_MS).unref();
}
