import type { Socket } from 'node:net';
import { posix } from 'node:path';
import { connectionName } from './connection-names.js';
import type { PublishFault } from './faults.js';
import type { Lease, PassivePorts } from './ftp-passive.js';
import { listing } from './ftp-list.js';
import { sendFile } from './ftp-send.js';
import type { PublishedFile, PublishedFiles } from './published-files.js';
import type { TransferLog, TransferOutcome, TransferStart } from './transfer-log.js';

/** What every session of one publisher shares. */
export interface SessionContext {
  files: PublishedFiles;
  log: TransferLog;
  ports: PassivePorts;
  /** The address announced in PASV replies: the guest-side forward address. */
  announcedAddress: string;
  fault?: PublishFault | undefined;
  /** The not-ready fault's shared count (faults.ts). */
  notReady: () => boolean;
  /** A control connection with no command for this long, and none running, is closed (421). */
  idleTimeoutMs: number;
  /** How long a passive port waits for its connection and its transfer, and a transfer for the client to read. */
  dataTimeoutMs: number;
  /** Set by the publisher's stop() before it closes every connection: the transfers it cuts are the server's doing. */
  stopping?: boolean;
}

/** The longest unterminated command line kept while waiting for its end (RFC 959 lines are short). */
const MAX_LINE = 4096;
/** Queued commands beyond which the control connection is read no further until they are done. */
const QUEUE_HIGH = 64;
/** How long a control connection we have ended may stay half-open. */
const CLOSE_GRACE_MS = 2_000;

/** Stands in the queue for the 226 of an ABOR that aborted the running transfer. */
const ABORTED = Symbol('ABOR of a running transfer');
/** Stands in the queue for the client's end of the control connection: close once all before it is answered. */
const CLIENT_ENDED = Symbol('client ended the control connection');
type Queued = string | typeof ABORTED | typeof CLIENT_ENDED;
/** The abort reason when the client closes the control connection while its transfer runs. */
const CONTROL_CLOSED = 'control connection closed by the client';

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

const FEATURES = '211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n REST STREAM\r\n UTF8\r\n211 End\r\n';

/**
 * One control connection. Commands are queued and handled strictly in order: a RETR or LIST
 * holds the queue until its final reply, so pipelined commands are answered in the order sent
 * and one connection never runs two transfers. ABOR alone jumps the queue, as RFC 959 4.1.3
 * has it: it closes the running transfer's data connection, which answers 426, then ABOR 226.
 */
export class FtpSession {
  private cwd = '/';
  private partial = '';
  private readonly queue: Queued[] = [];
  private holding = false;
  private waitingForDrain = false;
  private running: AbortController | undefined;
  private lease: Lease | undefined;
  private restOffset = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly client: string;

  constructor(
    private readonly socket: Socket,
    private readonly context: SessionContext,
  ) {
    this.client = connectionName(socket);
  }

  start(): void {
    // latin1 maps bytes one to one, so Telnet bytes and line ends are found before decoding.
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => this.receive(chunk));
    this.socket.on('end', () => this.clientEnded());
    this.socket.on('error', () => this.socket.destroy());
    this.socket.on('close', () => this.closed());
    this.reply(220, 'pxe-harness FTP publisher ready');
    this.pump();
  }

  private reply(code: number, text: string): void {
    this.write(`${code} ${text}\r\n`);
  }

  private write(text: string): void {
    if (this.socket.writable) this.socket.write(text);
  }

  /** Splits what arrived into lines; only an unterminated line is bounded, never a read. */
  private receive(chunk: string): void {
    if (this.ended) return;
    clearTimeout(this.idleTimer);
    this.partial += chunk;
    let start = 0;
    let eol: number;
    while ((eol = this.partial.indexOf('\n', start)) >= 0) {
      this.accept(this.partial.slice(start, eol).replace(/\r$/, ''));
      start = eol + 1;
      // Each line runs as soon as its turn comes, so an ABOR behind a RETR in the same read
      // finds the RETR running.
      this.pump();
    }
    this.partial = this.partial.slice(start);
    if (this.partial.length > MAX_LINE) return this.close(500, `command line longer than ${MAX_LINE} bytes`);
    this.pump();
  }

  private accept(raw: string): void {
    // Clients send ABOR after Telnet IP and Synch (RFC 959 4.1.3); the urgent byte may be missing.
    const line = Buffer.from(raw.replace(/^[\xff\xf4\xf2]+/, ''), 'latin1').toString('utf8');
    if (verbOf(line) === 'ABOR' && this.running) {
      this.running.abort('ABOR');
      this.running = undefined;
      this.queue.unshift(ABORTED);
      return;
    }
    this.queue.push(line);
  }

  /**
   * The client shut down its side of the control connection. What it sent before is still
   * answered, but a transfer it can no longer abort is ended now: a client that went away must
   * not hold a passive port until the data timeout.
   */
  private clientEnded(): void {
    this.running?.abort(CONTROL_CLOSED);
    this.queue.push(CLIENT_ENDED);
    this.pump();
  }

  /** Runs what can run now, then decides whether to read on and whether the session is idle. */
  private pump(): void {
    this.runQueue();
    // Bounded memory: a client that sends faster than it is answered is read no further.
    if (this.queue.length > QUEUE_HIGH) this.socket.pause();
    else if (!this.ended) this.socket.resume();
    clearTimeout(this.idleTimer);
    // Idle: nothing to do, or replies the client does not read. A running transfer is not idle:
    // the data timeout watches it.
    const idle = (!this.holding && !this.queue.length) || this.waitingForDrain;
    if (idle && !this.ended) {
      this.idleTimer = setTimeout(() => this.close(421, 'idle timeout, closing the control connection'), this.context.idleTimeoutMs);
    }
  }

  /** Runs queued commands until one holds the queue, the queue is empty or replies back up. */
  private runQueue(): void {
    while (!this.holding && !this.ended && this.queue.length) {
      if (this.socket.writableNeedDrain) return this.drainThenPump();
      const pending = this.command(this.queue.shift()!);
      if (pending) {
        this.holding = true;
        // A failure of the server's own (say the log cannot be written) ends the session, not the process.
        void pending
          .catch(() => this.close(451, 'local error, closing the control connection'))
          .finally(() => {
            this.holding = false;
            this.pump();
          });
      }
    }
  }

  private drainThenPump(): void {
    if (this.waitingForDrain) return;
    this.waitingForDrain = true;
    this.socket.once('drain', () => {
      this.waitingForDrain = false;
      this.pump();
    });
  }

  /** Ends the session from our side: a last reply, then the connection closes. */
  private close(code: number, text: string): void {
    if (this.ended) return;
    this.reply(code, text);
    this.ended = true;
    this.queue.length = 0;
    this.running?.abort('session closed by the server');
    this.releaseLease();
    clearTimeout(this.idleTimer);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  /** The connection is gone, however it went: nothing of the session may outlive it. */
  private closed(): void {
    this.ended = true;
    this.queue.length = 0;
    clearTimeout(this.idleTimer);
    this.running?.abort(CONTROL_CLOSED);
    this.releaseLease();
  }

  private releaseLease(): void {
    this.lease?.release();
    this.lease = undefined;
  }

  private command(item: Queued): Promise<void> | void {
    if (item === ABORTED) return this.reply(226, 'abort successful, data connection closed');
    if (item === CLIENT_ENDED) return this.close(221, 'the client ended the control connection');
    const verb = verbOf(item);
    const arg = item.indexOf(' ') < 0 ? '' : item.slice(item.indexOf(' ') + 1);
    const simple = SIMPLE_REPLIES[verb];
    if (simple) return this.reply(...simple);
    switch (verb) {
      case 'FEAT':
        return this.write(FEATURES);
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
      case 'SIZE':
      case 'MDTM':
        return this.fileFact(verb, arg);
      case 'REST':
        return this.restart(arg);
      case 'EPSV':
      case 'PASV':
        return this.passive(verb, arg);
      case 'RETR':
        return this.retrieve(arg);
      case 'LIST':
      case 'NLST':
        return this.list(arg);
      case 'QUIT':
        return this.close(221, 'bye');
      case 'ABOR':
        // No transfer runs; RFC 959 still has the data connection closed.
        this.releaseLease();
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
    if (target === '/' || this.context.files.hasDirectory(target)) {
      this.cwd = target;
      return this.reply(250, `directory changed to ${target}`);
    }
    return this.reply(550, 'no such directory');
  }

  private fileFact(verb: 'SIZE' | 'MDTM', arg: string): void {
    const file = this.context.files.lookup(arg, this.cwd);
    if (!file) return this.reply(550, 'no such file');
    return this.reply(213, verb === 'SIZE' ? String(file.sizeBytes) : '20260101000000');
  }

  private restart(arg: string): void {
    const offset = Number(arg);
    if (!/^\d+$/.test(arg) || !Number.isSafeInteger(offset)) return this.reply(501, 'bad offset');
    this.restOffset = offset;
    return this.reply(350, `restarting at ${offset}`);
  }

  /** One data connection per PASV/EPSV: a new one gives up the port of the one before. */
  private passive(verb: 'EPSV' | 'PASV', arg: string): void {
    if (verb === 'EPSV' && arg && arg !== '1') return this.reply(522, 'only IPv4, use (1)');
    this.releaseLease();
    this.lease = this.context.ports.lease(this.context.dataTimeoutMs);
    if (!this.lease) return this.reply(425, 'no free passive port, try again later');
    const port = this.lease.port;
    if (verb === 'EPSV') return this.reply(229, `Entering Extended Passive Mode (|||${port}|)`);
    const [a, b, c, d] = this.context.announcedAddress.split('.');
    return this.reply(227, `Entering Passive Mode (${a},${b},${c},${d},${port >> 8},${port & 255})`);
  }

  /** The data connection of the last PASV/EPSV, taken by the command that uses it. */
  private takeLease(): Lease | undefined {
    const lease = this.lease;
    this.lease = undefined;
    return lease;
  }

  private async retrieve(arg: string): Promise<void> {
    const { file, start } = this.request(arg);
    const lease = this.takeLease();
    const refuse = (code: number, text: string, outcome: TransferOutcome = 'refused') => {
      lease?.release();
      this.context.log.begin({ ...start, client: this.client }).end(code, outcome);
      this.reply(code, text);
    };
    if (!file || this.context.fault?.kind === 'status') return refuse(550, 'no such file', 'not-found');
    if (this.context.notReady()) return refuse(450, 'file not ready yet, try again', 'ask-again');
    if ((start.offset ?? 0) > file.sizeBytes) return refuse(554, `restart position ${start.offset} is beyond the end of the file`);
    if (!lease) return refuse(425, 'use PASV or EPSV first');
    const abort = (this.running = new AbortController());
    abort.signal.addEventListener('abort', () => lease.release(), { once: true });
    try {
      const data = await lease.connection();
      if (!data) return abort.signal.aborted ? refuse(426, 'transfer aborted') : refuse(425, 'no data connection');
      await this.send(data, file, { ...start, client: `${this.client} data ${lease.peer}` }, abort.signal);
    } finally {
      if (this.running === abort) this.running = undefined;
      lease.release();
    }
  }

  private async send(data: Socket, file: PublishedFile, start: TransferStart, signal: AbortSignal): Promise<void> {
    const transfer = this.context.log.begin(start);
    const offset = start.offset ?? 0;
    this.reply(150, `opening binary data connection for ${file.urlPath} (${file.sizeBytes} bytes)`);
    const result = await sendFile(data, {
      filePath: file.filePath,
      offset,
      sizeBytes: file.sizeBytes,
      fault: this.context.fault,
      onProgress: (bytes) => transfer.addBytes(bytes),
      signal,
      stuckMs: this.context.dataTimeoutMs,
    });
    const publisherStopped = !result.finished && this.context.stopping === true;
    const clientClosedEarly = !publisherStopped && (result.clientClosedEarly || (!result.finished && signal.reason === CONTROL_CLOSED));
    const status = result.finished ? 226 : 426;
    // Whole means the whole file: a transfer that began at a REST offset is partial.
    transfer.end(status, result.finished && offset === 0 ? 'whole' : 'partial', { bytesSent: result.bytesSent, clientClosedEarly, publisherStopped });
    this.reply(status, result.finished ? 'transfer complete' : clientClosedEarly ? 'data connection closed by the client' : 'transfer aborted');
  }

  /** The log's start of a RETR: the published file's own path, and the spelling asked when it differs. */
  private request(arg: string): { file: PublishedFile | undefined; start: Omit<TransferStart, 'client'> } {
    const file = this.context.files.lookup(arg, this.cwd);
    const path = file ? file.urlPath : posix.resolve(this.cwd, arg);
    const offset = this.restOffset;
    this.restOffset = 0;
    const start = {
      protocol: 'ftp' as const,
      method: 'RETR',
      path,
      ...(arg !== path ? { requestedPath: arg } : {}),
      ...(offset ? { offset } : {}),
      ...(file ? { sizeBytes: file.sizeBytes } : {}),
    };
    return { file, start };
  }

  private async list(arg: string): Promise<void> {
    const lease = this.takeLease();
    const names = listing(this.context.files, this.cwd, arg);
    if (!names) {
      lease?.release();
      return this.reply(550, 'no such directory');
    }
    if (!lease) return this.reply(425, 'use PASV or EPSV first');
    const abort = (this.running = new AbortController());
    abort.signal.addEventListener('abort', () => lease.release(), { once: true });
    try {
      const data = await lease.connection();
      if (!data) return this.reply(abort.signal.aborted ? 426 : 425, abort.signal.aborted ? 'listing aborted' : 'no data connection');
      this.reply(150, 'listing');
      const sent = await new Promise<boolean>((resolve) => {
        data.once('close', () => resolve(false));
        data.end(names.map((name) => name + '\r\n').join(''), () => resolve(true));
      });
      this.reply(sent ? 226 : 426, sent ? 'listing sent' : 'listing aborted');
    } finally {
      if (this.running === abort) this.running = undefined;
      lease.release();
    }
  }
}

function verbOf(line: string): string {
  const space = line.indexOf(' ');
  return (space < 0 ? line : line.slice(0, space)).toUpperCase();
}
