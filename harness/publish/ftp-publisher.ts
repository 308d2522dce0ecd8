import { createReadStream } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { posix } from 'node:path';
import type { PublishedFiles } from './published-files.js';
import type { TransferLog } from './transfer-log.js';
import type { Publisher } from './publisher.js';
import { closeAfterFlush, cuts, faultStream, type PublishFault } from './faults.js';

/*
 * A read-only, passive-mode FTP server for the published files only.
 *
 * Why not a library: ftp-srv, the usual choice, has had no release since 2023 and pulls in `ip`
 * 1.x (CVE-2023-42282) among others, and the harness needs byte-exact accounting of each RETR
 * (complete or cut) plus hooks for faults. The part of RFC 959/2428 that curl uses to fetch one
 * file (USER, PASS, PWD, CWD, TYPE, SIZE, EPSV/PASV, RETR, QUIT) is small.
 *
 * Passive data ports are listeners opened at start on 127.0.0.1 and kept for the server's life, so
 * no other process can take them between announcing and connecting. The guest reaches each at the
 * announced address on the same port number through its own QEMU guest forward.
 */
export interface FtpPublisherOptions {
  /** The address announced in PASV replies: the guest-side forward address. */
  announcedAddress: string;
  /** How many passive data ports to keep open (concurrent transfers). */
  passivePorts?: number;
  guestPort?: number;
  fault?: PublishFault;
}

/** Commands answered the same way whatever their argument. */
const SIMPLE_REPLIES: Record<string, [number, string]> = {
  USER: [331, 'any password will do'],
  PASS: [230, 'logged in, read-only'],
  SYST: [215, 'UNIX Type: L8'],
  OPTS: [200, 'ok'],
  NOOP: [200, 'ok'],
  PORT: [502, 'active mode is not supported, use passive mode'],
  EPRT: [502, 'active mode is not supported, use passive mode'],
};

const TRANSFER_PARAMETERS: Record<'TYPE' | 'MODE' | 'STRU', [RegExp, string, string]> = {
  TYPE: [/^[AI]/i, 'type set to', 'only A and I'],
  MODE: [/^S$/i, 'mode set to', 'only stream mode'],
  STRU: [/^F$/i, 'structure set to', 'only file structure'],
};

interface DataPort {
  port: number;
  server: Server;
  /** The session waiting for a connection on this port. */
  waiter?: (socket: Socket) => void;
}

export async function startFtpPublisher(files: PublishedFiles, log: TransferLog, options: FtpPublisherOptions): Promise<Publisher> {
  const guestPort = options.guestPort ?? 21;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const dataPorts: DataPort[] = [];
  for (let i = 0; i < (options.passivePorts ?? 4); i++) {
    const dataPort: DataPort = { port: 0, server: createServer() };
    dataPort.server.on('connection', (socket) => {
      track(socket);
      const waiter = dataPort.waiter;
      dataPort.waiter = undefined;
      if (waiter) waiter(socket);
      else socket.destroy();
    });
    dataPort.port = await listen(dataPort.server);
    dataPorts.push(dataPort);
  }
  const control = createServer((socket) => {
    track(socket);
    new FtpSession(socket, files, log, dataPorts, options.announcedAddress, options.fault).start();
  });
  const port = await listen(control);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all([control, ...dataPorts.map((d) => d.server)].map((s) => new Promise<void>((r) => s.close(() => r()))));
    })());
  return {
    protocol: 'ftp',
    forwards: [{ guestPort, hostPort: port }, ...dataPorts.map((d) => ({ guestPort: d.port, hostPort: d.port }))],
    hostPort: port,
    transfers: log,
    url: (guestHost, urlPath) => `ftp://${guestHost}${guestPort === 21 ? '' : `:${guestPort}`}${urlPath}`,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

class FtpSession {
  private cwd = '/';
  private buffer = '';
  private dataSocket: Promise<Socket> | undefined;
  private restOffset = 0;
  private busy = false;
  private readonly client: string;

  constructor(
    private readonly socket: Socket,
    private readonly files: PublishedFiles,
    private readonly log: TransferLog,
    private readonly dataPorts: DataPort[],
    private readonly announcedAddress: string,
    private readonly fault?: PublishFault,
  ) {
    this.client = `${socket.remoteAddress}:${socket.remotePort}`;
  }

  start(): void {
    this.socket.setEncoding('latin1');
    this.socket.on('error', () => this.socket.destroy());
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      if (this.buffer.length > 4096) return this.socket.destroy();
      let eol: number;
      while ((eol = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, eol).replace(/\r$/, '');
        this.buffer = this.buffer.slice(eol + 1);
        void this.command(line);
      }
    });
    this.reply(220, 'pxe-harness FTP publisher ready');
  }

  private reply(code: number, text: string): void {
    if (!this.socket.destroyed) this.socket.write(`${code} ${text}\r\n`);
  }

  private async command(line: string): Promise<void> {
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.slice(space + 1);
    const simple = SIMPLE_REPLIES[verb];
    if (simple) return this.reply(...simple);
    switch (verb) {
      case 'FEAT':
        this.socket.write('211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n REST STREAM\r\n UTF8\r\n211 End\r\n');
        return;
      case 'PWD':
      case 'XPWD':
        return this.reply(257, `"${this.cwd}" is the current directory`);
      case 'CWD':
      case 'XCWD':
        return this.changeDirectory(arg);
      case 'CDUP':
        return this.changeDirectory('..');
      case 'TYPE':
      case 'MODE':
      case 'STRU':
        return this.transferParameter(verb, arg);
      case 'SIZE': {
        const file = this.files.lookup(arg, this.cwd);
        return file ? this.reply(213, String(file.sizeBytes)) : this.reply(550, 'no such file');
      }
      case 'MDTM':
        return this.files.lookup(arg, this.cwd) ? this.reply(213, '20260101000000') : this.reply(550, 'no such file');
      case 'REST': {
        const offset = Number(arg);
        if (!Number.isSafeInteger(offset) || offset < 0) return this.reply(501, 'bad offset');
        this.restOffset = offset;
        return this.reply(350, `restarting at ${offset}`);
      }
      case 'EPSV':
      case 'PASV':
        return this.passive(verb);
      case 'RETR':
        return this.retrieve(arg);
      case 'LIST':
      case 'NLST':
        return this.list();
      case 'QUIT':
        this.reply(221, 'bye');
        this.socket.end();
        return;
      case 'ABOR':
        return this.reply(226, 'no transfer to abort');
      default:
        return this.reply(502, `${verb} not implemented`);
    }
  }

  /** TYPE A/I, MODE S and STRU F are what curl sends; anything else is refused. */
  private transferParameter(verb: 'TYPE' | 'MODE' | 'STRU', arg: string): void {
    const [accepted, ok, refused] = TRANSFER_PARAMETERS[verb];
    return accepted.test(arg) ? this.reply(200, `${ok} ${arg}`) : this.reply(504, refused);
  }

  private changeDirectory(arg: string): void {
    const target = posix.resolve(this.cwd, arg || '/');
    if (target === '/' || this.files.hasDirectory(target)) {
      this.cwd = target;
      return this.reply(250, `directory changed to ${target}`);
    }
    return this.reply(550, 'no such directory');
  }

  private passive(verb: string): void {
    const dataPort = this.dataPorts.find((d) => !d.waiter);
    if (!dataPort) return this.reply(425, 'no free passive port');
    this.dataSocket = new Promise<Socket>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (dataPort.waiter === accept) dataPort.waiter = undefined;
        reject(new Error('no data connection within 30 s'));
      }, 30_000);
      const accept = (socket: Socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
      dataPort.waiter = accept;
    });
    this.dataSocket.catch(() => undefined);
    if (verb === 'EPSV') return this.reply(229, `Entering Extended Passive Mode (|||${dataPort.port}|)`);
    const [a, b, c, d] = this.announcedAddress.split('.');
    return this.reply(227, `Entering Passive Mode (${a},${b},${c},${d},${dataPort.port >> 8},${dataPort.port & 255})`);
  }

  private async takeDataSocket(): Promise<Socket | undefined> {
    const pending = this.dataSocket;
    this.dataSocket = undefined;
    if (!pending) {
      this.reply(425, 'use PASV or EPSV first');
      return undefined;
    }
    try {
      return await pending;
    } catch {
      this.reply(425, 'no data connection');
      return undefined;
    }
  }

  private async list(): Promise<void> {
    const data = await this.takeDataSocket();
    if (!data) return;
    this.reply(150, 'listing');
    const names = this.files
      .list()
      .filter((f) => posix.dirname(f.urlPath) === this.cwd)
      .map((f) => posix.basename(f.urlPath));
    data.end(names.map((n) => n + '\r\n').join(''), () => this.reply(226, 'listing sent'));
  }

  private async retrieve(arg: string): Promise<void> {
    const path = posix.resolve(this.cwd, arg);
    const file = this.files.lookup(arg, this.cwd);
    const offset = this.restOffset;
    this.restOffset = 0;
    const transfer = this.log.begin({ protocol: 'ftp', method: 'RETR', path, client: this.client, ...(file ? { sizeBytes: file.sizeBytes } : {}) });
    if (!file || this.fault?.kind === 'status') {
      this.dataSocket = undefined;
      transfer.end(550, false);
      return this.reply(550, 'no such file');
    }
    if (this.busy) {
      transfer.end(425, false);
      return this.reply(425, 'a transfer is already running on this connection');
    }
    const data = await this.takeDataSocket();
    if (!data) {
      transfer.end(425, false);
      return;
    }
    this.busy = true;
    this.reply(150, `opening binary data connection for ${path} (${file.sizeBytes} bytes)`);
    const source = createReadStream(file.filePath, { start: offset, highWaterMark: 1 << 20 });
    const stream = faultStream(this.fault);
    let sent = 0;
    stream.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      transfer.addBytes(chunk.length);
    });
    source.on('error', () => data.destroy());
    const finished = new Promise<boolean>((resolve) => {
      data.on('error', () => resolve(false));
      data.on('close', () => {
        source.destroy();
        resolve(data.writableFinished);
      });
    });
    source.pipe(stream).pipe(data, { end: !cuts(this.fault) });
    if (cuts(this.fault)) stream.on('end', () => closeAfterFlush(data, data));
    const ok = await finished;
    this.busy = false;
    const complete = ok && offset === 0 && sent === file.sizeBytes;
    transfer.end(ok ? 226 : 426, complete);
    this.reply(ok ? 226 : 426, ok ? 'transfer complete' : 'transfer aborted');
  }
}
