import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFtpPublisher, type FtpPublisherOptions } from '../../harness/publish/ftp-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import type { Publisher } from '../../harness/publish/publisher.js';
import { GuestView } from '../helpers/guest-view.js';
import { serviceSocket, socketOfGuestPort } from '../helpers/publisher-sockets.js';
import { bytesInKernel, serverStoppedWriting } from '../helpers/socket-queues.js';
import { TransferLog, type Transfer } from '../../harness/publish/transfer-log.js';

// The FTP publisher against clients that misbehave: raw clients speaking FTP through the
// publisher's UNIX sockets (as the guest's relays connect), each test one defect seen when probing it (bytes over-counted, ports leaked, commands out of order,
// paths logged as spelled). Short timeouts and small files: a QEMU job may run beside these.
let dir: string;
let files: PublishedFiles;
const BIG = 24 * 1024 * 1024;
const SMALL = 256 * 1024 + 17;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-ftp-abuse-'));
  await writeFile(join(dir, 'big.iso'), Buffer.alloc(BIG, 5));
  await writeFile(join(dir, 'small.iso'), Buffer.alloc(SMALL, 6));
  await writeFile(join(dir, 'tiny.bin'), Buffer.alloc(100, 1));
  files = await PublishedFiles.of([
    { urlPath: '/image/big.iso', filePath: join(dir, 'big.iso') },
    { urlPath: '/image/small.iso', filePath: join(dir, 'small.iso') },
    { urlPath: '/image/tiny.bin', filePath: join(dir, 'tiny.bin') },
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const opened: { stop(): Promise<void> }[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of opened.splice(0)) await p.stop();
});

async function publisher(options: Partial<FtpPublisherOptions> = {}): Promise<{ publisher: Publisher; log: TransferLog }> {
  const log = new TransferLog();
  const started = await startFtpPublisher(files, log, { announcedAddress: '10.0.2.100', ...options });
  opened.push(started);
  return { publisher: started, log };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => T | undefined, ms = 3_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}

interface Reply {
  code: number;
  text: string;
}

/** A control connection that parses replies (multi-line ones too) in the order they arrive. */
class Control {
  readonly replies: Reply[] = [];
  private taken = 0;
  private rest = '';
  private multi: number | undefined;
  closed = false;

  constructor(readonly socket: Socket) {
    sockets.push(socket);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.parse(chunk));
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => undefined);
  }

  static async open(publisher: Publisher): Promise<Control> {
    const control = new Control(connect(serviceSocket(publisher)));
    await control.next();
    return control;
  }

  private parse(chunk: string): void {
    this.rest += chunk;
    let eol: number;
    while ((eol = this.rest.indexOf('\r\n')) >= 0) {
      const line = this.rest.slice(0, eol);
      this.rest = this.rest.slice(eol + 2);
      const m = /^(\d{3})([ -])(.*)$/.exec(line);
      if (this.multi !== undefined && !(m && Number(m[1]) === this.multi && m[2] === ' ')) continue;
      if (m && m[2] === '-') this.multi = Number(m[1]);
      else if (m) {
        this.multi = undefined;
        this.replies.push({ code: Number(m[1]), text: m[3]! });
      }
    }
  }

  send(...lines: string[]): void {
    this.socket.write(lines.map((l) => l + '\r\n').join(''));
  }

  /** The next reply not yet taken. */
  async next(ms = 3_000): Promise<Reply> {
    const reply = await until(() => this.replies[this.taken], ms);
    this.taken++;
    return reply;
  }

  async codes(count: number, ms = 3_000): Promise<number[]> {
    const codes: number[] = [];
    for (let i = 0; i < count; i++) codes.push((await this.next(ms)).code);
    return codes;
  }

  async login(): Promise<void> {
    this.send('USER anonymous', 'PASS x', 'TYPE I');
    expect(await this.codes(3)).toEqual([331, 230, 200]);
  }

  /** EPSV; the announced port. */
  async epsv(): Promise<number> {
    this.send('EPSV');
    const reply = await this.next();
    expect(reply.code).toBe(229);
    return Number(/\|\|\|(\d+)\|/.exec(reply.text)![1]);
  }
}

/** A data connection to an announced passive port, through its socket, that counts what it receives; paused ones read nothing. */
function dataConnection(publisher: Publisher, port: number, { paused = false } = {}) {
  const socket = connect(socketOfGuestPort(publisher, port));
  sockets.push(socket);
  const state = { socket, received: 0, ended: false, closed: false, connected: new Promise<void>((r) => socket.once('connect', () => r())) };
  if (paused) socket.pause();
  socket.on('data', (chunk: Buffer) => (state.received += chunk.length));
  socket.on('end', () => (state.ended = true));
  socket.on('close', () => (state.closed = true));
  socket.on('error', () => undefined);
  return state;
}

const ended = (log: TransferLog, count = 1): Promise<Transfer[]> => until(() => (log.transfers.length >= count ? log.transfers : undefined));

describe('FTP publisher: bytes logged are bytes written (defect 1)', () => {
  it.skipIf(!existsSync('/usr/bin/ss') && !existsSync('/bin/ss'))('a client that resets the data connection is logged with what reached the kernel, no more', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    const data = dataConnection(p, await control.epsv(), { paused: true });
    await data.connected;
    control.send('RETR /image/big.iso');
    expect((await control.next()).code).toBe(150);
    // The client reads nothing: the server fills the kernel's buffers and blocks. Once its count
    // stops moving, every byte it has handed over is in the client's receive queue, as the
    // kernel reports it.
    await serverStoppedWriting(log);
    const inKernel = await bytesInKernel(data.socket);
    // Closed with unread bytes: the server's next write fails with ECONNRESET, as after a TCP RST.
    data.socket.destroy();
    const [t] = await ended(log);
    expect(t).toMatchObject({ outcome: 'partial', status: 426, complete: false, clientClosedEarly: true });
    // What the kernel took may end mid-chunk: the chunk being written is not counted.
    expect(t!.bytesSent).toBeLessThanOrEqual(inKernel);
    expect(t!.bytesSent).toBeGreaterThan(inKernel - 256 * 1024);
    expect(await control.next()).toMatchObject({ code: 426 });
  });

  it('a client that closes the data connection after some bytes is logged as closed early, not complete', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    const data = dataConnection(p, await control.epsv());
    await data.connected;
    control.send('RETR /image/big.iso');
    expect((await control.next()).code).toBe(150);
    await until(() => data.received >= 1_000_000);
    data.socket.destroy();
    expect((await control.next()).code).toBe(426);
    const [t] = await ended(log);
    expect(t).toMatchObject({ outcome: 'partial', status: 426, complete: false, clientClosedEarly: true, sizeBytes: BIG });
    expect(t!.bytesSent).toBeLessThan(BIG);
  });

  it('REST: the offset is logged, bytesSent counts from it, and the transfer is not the whole file', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    for (const [path, size] of [['/image/small.iso', SMALL], ['/image/tiny.bin', 100]] as const) {
      const data = dataConnection(p, await control.epsv());
      await data.connected;
      control.send('REST 100', `RETR ${path}`);
      expect(await control.codes(3)).toEqual([350, 150, 226]);
      await until(() => data.closed);
      expect(data.received).toBe(size - 100);
    }
    const [a, b] = await ended(log, 2);
    expect(a).toMatchObject({ path: '/image/small.iso', outcome: 'partial', status: 226, offset: 100, bytesSent: SMALL - 100, complete: false });
    expect(b).toMatchObject({ path: '/image/tiny.bin', status: 226, offset: 100, bytesSent: 0, complete: false });
  });

  it('REST beyond the end of the file is refused on RETR', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    await control.epsv();
    control.send('REST 101', 'RETR /image/tiny.bin');
    expect(await control.codes(2)).toEqual([350, 554]);
    expect((await ended(log))[0]).toMatchObject({ outcome: 'refused', status: 554, complete: false, bytesSent: 0, offset: 101 });
  });

  it('40 fast curl downloads in a row are all logged complete, with every byte', async () => {
    // curl speaks FTP over TCP only: it sees the publisher as the guest does (guest-view.ts).
    const log = new TransferLog();
    const view = await GuestView.start((ftp) => startFtpPublisher(files, log, ftp));
    opened.push(view);
    for (let i = 0; i < 40; i++) {
      const r = await execa('curl', ['-sSf', '--max-time', '10', '-o', '/dev/null', `ftp://127.0.0.1:${view.port}/image/small.iso`], { reject: false });
      expect(r.exitCode).toBe(0);
    }
    const all = await ended(log, 40);
    expect(all.filter((t) => !t.complete || t.bytesSent !== SMALL || t.status !== 226 || t.outcome !== 'whole')).toEqual([]);
  });
});

describe('FTP publisher: passive ports are leased, sessions are bounded (defect 2)', () => {
  it('names the data connection\'s peer in the log: a local process that connects first is on record', async () => {
    const { publisher: p, log } = await publisher({ passivePorts: 1 });
    const control = await Control.open(p);
    await control.login();
    const port = await control.epsv();
    const thief = dataConnection(p, port);
    await thief.connected;
    await sleep(50);
    const real = dataConnection(p, port);
    await until(() => real.closed); // one data connection per EPSV: the second is closed
    control.send('RETR /image/small.iso');
    expect(await control.codes(2)).toEqual([150, 226]);
    await until(() => thief.closed);
    expect(thief.received).toBe(SMALL);
    const [t] = await ended(log);
    // A connection to a socket has no peer address: the record names the control connection and
    // the data connection that won, each by its socket and its number there.
    expect(t!.client).toBe(`ftp.sock#1 data pasv-${port}.sock#1`);
  });

  it.each([
    ['QUIT', async (c: Control) => (c.send('QUIT'), expect((await c.next()).code).toBe(221))],
    ['a failed RETR', async (c: Control) => (c.send('RETR /nothing.iso'), expect((await c.next()).code).toBe(550))],
    ['a control connection closed without QUIT', async (c: Control) => (c.socket.destroy(), await sleep(50))],
  ])('frees the passive port on %s', async (_how, end) => {
    const { publisher: p } = await publisher({ passivePorts: 1 });
    const a = await Control.open(p);
    await a.login();
    const port = await a.epsv();
    await end(a);
    const b = await Control.open(p);
    await b.login();
    expect(await b.epsv()).toBe(port);
  });

  it('a repeated EPSV gives up the earlier port, and a connection to a port nobody leases is closed', async () => {
    const { publisher: p } = await publisher({ passivePorts: 1 });
    const a = await Control.open(p);
    await a.login();
    const first = await a.epsv();
    expect(await a.epsv()).toBe(first);
    a.send('QUIT');
    expect((await a.next()).code).toBe(221);
    const late = dataConnection(p, first);
    await until(() => late.closed, 1_000);
  });

  it('idle timeouts: a silent control connection gets 421 and is closed; an unused data connection is closed and its port freed', async () => {
    const { publisher: p } = await publisher({ passivePorts: 1, idleTimeoutMs: 300, dataTimeoutMs: 300 });
    const silent = await Control.open(p);
    expect((await silent.next(1_500)).code).toBe(421);
    await until(() => silent.closed, 1_000);

    const a = await Control.open(p);
    await a.login();
    const port = await a.epsv();
    const data = dataConnection(p, port);
    await data.connected;
    await until(() => data.closed, 1_500);
    const b = await Control.open(p);
    await b.login();
    expect(await b.epsv()).toBe(port);
  });

  it('a client that stops reading is cut after the data timeout; a stall fault, where the server holds back, is not', async () => {
    const { publisher: p, log } = await publisher({ dataTimeoutMs: 300 });
    const control = await Control.open(p);
    await control.login();
    const data = dataConnection(p, await control.epsv(), { paused: true });
    await data.connected;
    control.send('RETR /image/big.iso');
    expect(await control.codes(2, 3_000)).toEqual([150, 426]);
    expect((await ended(log))[0]).toMatchObject({ status: 426, complete: false });
    expect((await ended(log))[0]!.clientClosedEarly).toBeUndefined();

    const stalled = await publisher({ dataTimeoutMs: 300, fault: { kind: 'stall', afterBytes: 100_000 } });
    const c2 = await Control.open(stalled.publisher);
    await c2.login();
    const d2 = dataConnection(stalled.publisher, await c2.epsv());
    await d2.connected;
    c2.send('RETR /image/small.iso');
    expect((await c2.next()).code).toBe(150);
    await sleep(1_000);
    expect(d2.received).toBe(100_000);
    expect(d2.closed).toBe(false);
    expect([...stalled.log.running]).toHaveLength(1);
  });

  it('a control connection closed during a transfer ends it as closed early by the client and frees the port', async () => {
    const { publisher: p, log } = await publisher({ passivePorts: 1 });
    const a = await Control.open(p);
    await a.login();
    const port = await a.epsv();
    const data = dataConnection(p, port, { paused: true });
    await data.connected;
    a.send('RETR /image/big.iso');
    expect((await a.next()).code).toBe(150);
    a.socket.destroy();
    expect((await ended(log))[0]).toMatchObject({ status: 426, complete: false, clientClosedEarly: true });
    const b = await Control.open(p);
    await b.login();
    expect(await b.epsv()).toBe(port);
  });

  it('caps concurrent control connections: one too many gets 421 and is closed', async () => {
    const { publisher: p } = await publisher({ maxSessions: 2 });
    await Control.open(p);
    await Control.open(p);
    const third = await Control.open(p).catch(() => undefined);
    expect(third?.replies[0]?.code).toBe(421);
    await until(() => third!.closed, 1_000);
  });
});

describe('FTP publisher: commands are handled in order (defect 3)', () => {
  it('pipelined commands after a RETR are answered after its 226, a second RETR only then', async () => {
    const { publisher: p } = await publisher();
    const control = await Control.open(p);
    await control.login();
    const data = dataConnection(p, await control.epsv());
    await data.connected;
    control.send('RETR /image/small.iso', 'NOOP', 'RETR /image/small.iso', 'SIZE /image/tiny.bin');
    expect(await control.codes(5)).toEqual([150, 226, 200, 425, 213]);
    await until(() => data.closed);
    expect(data.received).toBe(SMALL);
  });

  it('ABOR during a transfer closes the data connection and answers 426 for the transfer, then 226', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    const data = dataConnection(p, await control.epsv(), { paused: true });
    await data.connected;
    control.send('RETR /image/big.iso');
    expect((await control.next()).code).toBe(150);
    await sleep(100);
    // As clients send it: Telnet IP and Synch before the verb.
    control.socket.write('\xff\xf4\xff\xf2ABOR\r\n', 'latin1');
    expect(await control.codes(2)).toEqual([426, 226]);
    data.socket.resume();
    await until(() => data.closed);
    expect(data.received).toBeLessThan(BIG);
    expect((await ended(log))[0]).toMatchObject({ status: 426, complete: false });
    control.send('NOOP');
    expect((await control.next()).code).toBe(200);
  });

  it('ABOR while RETR still waits for its data connection answers 426, then 226, and frees the port', async () => {
    const { publisher: p, log } = await publisher({ passivePorts: 1 });
    const control = await Control.open(p);
    await control.login();
    const port = await control.epsv();
    control.send('RETR /image/small.iso', 'ABOR');
    expect(await control.codes(2)).toEqual([426, 226]);
    expect((await ended(log))[0]).toMatchObject({ outcome: 'refused', status: 426, complete: false, bytesSent: 0 });
    expect(await control.epsv()).toBe(port);
  });

  it('ABOR with no transfer answers 225 or 226', async () => {
    const { publisher: p } = await publisher();
    const control = await Control.open(p);
    await control.login();
    control.send('ABOR');
    expect([225, 226]).toContain((await control.next()).code);
  });

  it('a read of many whole lines is served line by line; only one overlong line ends the session', async () => {
    const { publisher: p } = await publisher();
    const control = await Control.open(p);
    control.send(...Array.from({ length: 800 }, () => 'NOOP'));
    const codes = await control.codes(800);
    expect(codes.filter((c) => c !== 200)).toEqual([]);
    control.socket.write('NOOP ' + 'x'.repeat(5000));
    expect((await control.next()).code).toBe(500);
    await until(() => control.closed, 1_000);
  });
});

describe('FTP publisher: paths are logged canonical (defect 4)', () => {
  it.each([
    ['/image//small.iso', []],
    ['/image/small.iso/', []],
    ['small.iso', ['CWD /image']],
    ['../image/./small.iso', ['CWD /image']],
  ])('RETR %s is served and logged as /image/small.iso, with the spelling asked', async (spelled, before) => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    for (const line of before) {
      control.send(line);
      expect((await control.next()).code).toBe(250);
    }
    const data = dataConnection(p, await control.epsv());
    await data.connected;
    control.send(`RETR ${spelled}`);
    expect(await control.codes(2)).toEqual([150, 226]);
    const [t] = await ended(log);
    expect(t).toMatchObject({ path: '/image/small.iso', requestedPath: spelled, complete: true, bytesSent: SMALL });
  });

  it('a canonical spelling has no requestedPath', async () => {
    const { publisher: p, log } = await publisher();
    const control = await Control.open(p);
    await control.login();
    await control.epsv();
    control.send('RETR /image/nothing.iso');
    expect((await control.next()).code).toBe(550);
    const [t] = await ended(log);
    expect(t).toMatchObject({ path: '/image/nothing.iso', outcome: 'not-found', status: 550 });
    expect(t!.requestedPath).toBeUndefined();
  });
});
