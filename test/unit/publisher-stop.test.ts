import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { faultStream, type PublishFault } from '../../harness/publish/faults.js';
import { startFtpPublisher } from '../../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../../harness/publish/http-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import type { Publisher } from '../../harness/publish/publisher.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { curlThrough, serviceSocket, socketOfGuestPort } from '../helpers/publisher-sockets.js';

// The publishers' stop and their faults' edges, through their sockets: what a stop leaves behind and how it
// is logged, a cut before the first byte, the corrupt fault after REST, a listing of no folder.
const opened = vi.hoisted(() => ({ paths: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const createReadStream = (...args: Parameters<typeof fs.createReadStream>) => {
    opened.paths.push(String(args[0]));
    return fs.createReadStream(...args);
  };
  return { ...fs, default: { ...fs, createReadStream }, createReadStream };
});

let dir: string;
let files: PublishedFiles;
const SIZE = 8 * 1024 * 1024;
const original = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7) & 0xff));
const ISO = '/image/live.iso';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-stop-test-'));
  await writeFile(join(dir, 'live.iso'), original);
  files = await PublishedFiles.of([{ urlPath: ISO, filePath: join(dir, 'live.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(10);
  }
}

function start(protocol: 'http' | 'ftp', fault?: PublishFault): Promise<Publisher> {
  const log = new TransferLog();
  return protocol === 'http' ? startHttpPublisher(files, log, fault ? { fault } : {}) : startFtpPublisher(files, log, { announcedAddress: '10.0.2.100', ...(fault ? { fault } : {}) });
}

/** Starts a fetch the client does not finish reading: a GET over http, a RETR over ftp (after `rest`, if given). */
async function slowFetch(publisher: Publisher, rest?: number): Promise<{ sockets: Socket[]; received: Buffer[] }> {
  const received: Buffer[] = [];
  const control = connect(serviceSocket(publisher));
  control.on('error', () => undefined);
  if (publisher.protocol === 'http') {
    control.on('data', (chunk: Buffer) => received.push(chunk));
    control.write(`GET ${ISO} HTTP/1.1\r\nHost: x\r\n\r\n`);
    return { sockets: [control], received };
  }
  let text = '';
  control.setEncoding('latin1');
  control.on('data', (chunk: string) => (text += chunk));
  control.write(`USER a\r\nPASS b\r\nTYPE I\r\nEPSV\r\n`);
  await until(() => /229 .*\|\|\|(\d+)\|/.test(text));
  const data = connect(socketOfGuestPort(publisher, Number(/\|\|\|(\d+)\|/.exec(text)![1])));
  data.on('error', () => undefined);
  data.on('data', (chunk: Buffer) => received.push(chunk));
  await new Promise((r) => data.once('connect', r));
  control.write(`${rest !== undefined ? `REST ${rest}\r\n` : ''}RETR ${ISO}\r\n`);
  return { sockets: [control, data], received };
}

describe.each(['http', 'ftp'] as const)('%s publisher stop', (protocol) => {
  it('resolves once the transfer it cut is logged, as cut by the stop, not by the client', async () => {
    const publisher = await start(protocol, { kind: 'stall', afterBytes: 1_000_000 });
    const { sockets } = await slowFetch(publisher);
    await until(() => [...publisher.transfers.running][0]?.bytesSent === 1_000_000);
    await publisher.stop();
    for (const s of sockets) s.destroy();
    expect(publisher.transfers.transfers).toEqual([expect.objectContaining({ outcome: 'partial', bytesSent: 1_000_000, publisherStopped: true })]);
    expect(publisher.transfers.transfers[0]!.clientClosedEarly).toBeUndefined();
  });
});

describe('the throttle fault', () => {
  it('leaves no timer behind once its stream is destroyed (a stop, a client gone)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const stream = faultStream({ kind: 'throttle', bytesPerSecond: 1_000 });
      stream.on('data', () => undefined);
      stream.write(Buffer.alloc(30_000));
      await new Promise((r) => setImmediate(r));
      expect(vi.getTimerCount()).toBe(1); // waiting for the next second's budget
      stream.destroy();
      await new Promise((r) => setImmediate(r));
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('http cut at 0 bytes', () => {
  it('sends no status line, logs status 0 and 0 bytes, and never opens the file', async () => {
    const publisher = await start('http', { kind: 'cut', afterBytes: 0 });
    opened.paths.length = 0;
    try {
      const result = await execa('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', ...curlThrough(publisher, ISO)], { reject: false });
      expect(result.stdout).toBe('000');
      await until(() => publisher.transfers.transfers.length === 1);
      expect(publisher.transfers.transfers[0]).toMatchObject({ outcome: 'partial', status: 0, bytesSent: 0, complete: false });
      expect(opened.paths).toEqual([]);
    } finally {
      await publisher.stop();
    }
  });
});

describe('ftp corrupt fault after REST', () => {
  it('corrupts the bytes at their file offsets, whatever the offset the transfer starts at', async () => {
    const fault = { kind: 'corrupt', atByte: 65_530, count: 12 } as const;
    const publisher = await start('ftp', fault);
    try {
      const { sockets, received } = await slowFetch(publisher, 1_000);
      await until(() => publisher.transfers.transfers.length === 1);
      await sleep(50);
      for (const s of sockets) s.destroy();
      const corrupted = Buffer.from(original);
      for (let i = fault.atByte; i < fault.atByte + fault.count; i++) corrupted[i] = corrupted[i]! ^ 0xff;
      const got = Buffer.concat(received);
      expect(got.length).toBe(SIZE - 1_000);
      expect(got.equals(corrupted.subarray(1_000))).toBe(true);
    } finally {
      await publisher.stop();
    }
  });
});

describe('ftp listing of a path that is no published folder', () => {
  /** The reply codes to `commands` after a login and an EPSV whose data connection is made. */
  async function replies(publisher: Publisher, command: string): Promise<string> {
    const control = connect(serviceSocket(publisher));
    let text = '';
    control.setEncoding('latin1');
    control.on('data', (chunk: string) => (text += chunk));
    control.write('USER a\r\nPASS b\r\nEPSV\r\n');
    await until(() => /229 .*\|\|\|(\d+)\|/.test(text));
    const data = connect(socketOfGuestPort(publisher, Number(/\|\|\|(\d+)\|/.exec(text)![1])));
    let listed = '';
    data.on('data', (chunk: Buffer) => (listed += chunk.toString()));
    data.on('error', () => undefined);
    await new Promise((r) => data.once('connect', r));
    control.write(`${command}\r\n`);
    await until(() => /\r\n(226|550|426|425) /.test(text));
    await sleep(50);
    control.destroy();
    data.destroy();
    return `${/\r\n(226|550|426|425) /.exec(text)![1]} ${listed.trim()}`.trim();
  }

  it('NLST /etc answers 550; NLST of the published folder, or of no path in it, lists it', async () => {
    const publisher = await start('ftp');
    try {
      expect(await replies(publisher, 'NLST /etc')).toBe('550');
      expect(await replies(publisher, 'NLST /image')).toBe('226 live.iso');
      expect(await replies(publisher, 'LIST -la /image/live.iso')).toBe('226 live.iso');
      expect(await replies(publisher, 'NLST')).toBe('226');
    } finally {
      await publisher.stop();
    }
  });
});
