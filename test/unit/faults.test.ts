import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishFault } from '../../harness/publish/faults.js';
import { startFtpPublisher } from '../../harness/publish/ftp-publisher.js';
import { startHttpPublisher } from '../../harness/publish/http-publisher.js';
import { PublishedFiles } from '../../harness/publish/published-files.js';
import { isFailedTransfer, TransferLog } from '../../harness/publish/transfer-log.js';
import { isoFetchedAfterAskingAgain } from '../../harness/scenario/index.js';
import type { BootContext } from '../../harness/scenario/define-scenario.js';
import { GuestView } from '../helpers/guest-view.js';

// Each fault against the real curl, over http and ftp, seen as the guest sees the publisher
// (guest-view.ts: a TCP port per forward, relayed to its socket; curl's FTP cannot use a socket).
let dir: string;
let files: PublishedFiles;
let bigFiles: PublishedFiles;
const SIZE = 4 * 1024 * 1024;
const BIG = 24 * 1024 * 1024;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-fault-test-'));
  await writeFile(join(dir, 'live.iso'), Buffer.alloc(SIZE, 9));
  files = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'live.iso') }]);
  await writeFile(join(dir, 'big.iso'), Buffer.alloc(BIG, 7));
  bigFiles = await PublishedFiles.of([{ urlPath: '/image/live.iso', filePath: join(dir, 'big.iso') }]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fetchWith(protocol: 'http' | 'ftp', fault: PublishFault, curlArgs: string[] = [], published = files) {
  const log = new TransferLog();
  const view = await GuestView.start((ftp) => (protocol === 'http' ? startHttpPublisher(published, log, { fault }) : startFtpPublisher(published, log, { ...ftp, fault })));
  try {
    const started = Date.now();
    const result = await execa('curl', ['-sS', '-f', '-o', '/dev/null', '-w', '%{size_download}', ...curlArgs, `${protocol}://127.0.0.1:${view.port}/image/live.iso`], { reject: false });
    await new Promise((r) => setTimeout(r, 100));
    return { result, log, elapsedMs: Date.now() - started };
  } finally {
    await view.stop();
  }
}

describe.each(['http', 'ftp'] as const)('%s publisher faults', (protocol) => {
  it('status: the published file is refused and logged as such', async () => {
    const { result, log } = await fetchWith(protocol, { kind: 'status', status: 404 });
    expect(result.exitCode).not.toBe(0);
    expect(log.transfers[0]).toMatchObject({ outcome: 'not-found', status: protocol === 'http' ? 404 : 550, complete: false, bytesSent: 0 });
  });

  it('cut: a slow client still gets exactly the first N bytes, and the transfer is logged incomplete', async () => {
    // A slow reader fills the socket buffers, so bytes are still queued in the server when the cut
    // comes (a guest writing the ISO to its RAM disk is such a reader): they must still arrive.
    const { result, log } = await fetchWith(protocol, { kind: 'cut', afterBytes: 16_000_000 }, ['--limit-rate', '8M'], bigFiles);
    expect(result.exitCode).not.toBe(0);
    expect(Number(result.stdout)).toBe(16_000_000);
    expect(log.transfers[0]).toMatchObject({ outcome: 'partial', complete: false, bytesSent: 16_000_000, sizeBytes: BIG });
  });

  it('stall: bytes stop after N and the connection stays open, running without progress, until the client gives up', async () => {
    const log = new TransferLog();
    const fault: PublishFault = { kind: 'stall', afterBytes: 500_000 };
    const view = await GuestView.start((ftp) => (protocol === 'http' ? startHttpPublisher(files, log, { fault }) : startFtpPublisher(files, log, { ...ftp, fault })));
    try {
      const curl = execa('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', '--max-time', '3', `${protocol}://127.0.0.1:${view.port}/image/live.iso`], { reject: false });
      await new Promise((r) => setTimeout(r, 1_500));
      const [running] = [...log.running];
      expect(running?.bytesSent).toBe(500_000);
      expect(Date.now() - running!.lastProgressAtMs).toBeGreaterThanOrEqual(1_000);
      const result = await curl;
      expect(result.exitCode).toBe(28); // curl: operation timed out
      expect(Number(result.stdout)).toBe(500_000);
      await new Promise((r) => setTimeout(r, 100));
      expect(log.transfers[0]).toMatchObject({ outcome: 'partial', complete: false, bytesSent: 500_000 });
      expect(log.running.size).toBe(0);
    } finally {
      await view.stop();
    }
  });

  it('not-ready: the first request is told to ask again, which a client that retries does and gets the file; one that does not gets nothing', async () => {
    const once = await fetchWith(protocol, { kind: 'not-ready', requests: 1 });
    expect(once.result.exitCode).not.toBe(0);
    expect(once.log.transfers).toEqual([expect.objectContaining({ outcome: 'ask-again', status: protocol === 'http' ? 503 : 450, complete: false, bytesSent: 0, askAgain: true })]);
    // Told to ask again is no failed delivery yet: the boot shows whether the client did.
    expect(isFailedTransfer(once.log.transfers[0]!)).toBe(false);
    // curl's --retry takes HTTP 503 and an FTP 4xx as transient (and waits Retry-After: 1 s).
    const retrying = await fetchWith(protocol, { kind: 'not-ready', requests: 1 }, ['--retry', '3', '--retry-delay', '1']);
    expect(retrying.result.exitCode).toBe(0);
    expect(retrying.result.stdout).toBe(String(SIZE));
    expect(retrying.log.transfers.map((t) => [t.status, t.complete, t.bytesSent])).toEqual([
      [protocol === 'http' ? 503 : 450, false, 0],
      [protocol === 'http' ? 200 : 226, true, SIZE],
    ]);
    expect(retrying.log.transfers.map((t) => t.outcome)).toEqual(['ask-again', 'whole']);
    // The scenario's check: refusals, then one whole transfer; a client that never asked again fails it.
    const check = isoFetchedAfterAskingAgain();
    const context = (log: TransferLog) => ({ iso: { urlPath: '/image/live.iso', sizeBytes: SIZE }, transfers: log.transfers }) as unknown as BootContext;
    expect(await check.run(context(retrying.log))).toMatchObject({ ok: true });
    expect(await check.run(context(once.log))).toMatchObject({ ok: false, detail: expect.stringMatching(/expected refusals, then one complete transfer .*told to ask again/) });
  });

  it('throttle: the whole file arrives, no faster than the rate', async () => {
    const { result, log, elapsedMs } = await fetchWith(protocol, { kind: 'throttle', bytesPerSecond: 2 * 1024 * 1024 });
    expect(result.exitCode).toBe(0);
    expect(log.transfers[0]).toMatchObject({ outcome: 'whole', complete: true, bytesSent: SIZE });
    // 4 MiB at 2 MiB/s: two full one-second windows at the least.
    expect(elapsedMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('http redirect fault', () => {
  it('answers the file with the redirect and a Location that serves it; a client without --location gets no byte of it', async () => {
    const plain = await fetchWith('http', { kind: 'redirect', status: 302 });
    expect(plain.result.exitCode).toBe(0);
    expect(plain.result.stdout).toBe('0');
    expect(plain.log.transfers).toEqual([expect.objectContaining({ outcome: 'redirected', status: 302, complete: true, bytesSent: 0 })]);
    const following = await fetchWith('http', { kind: 'redirect', status: 302 }, ['--location']);
    expect(following.result.stdout).toBe(String(SIZE));
    expect(following.log.transfers.map((t) => [t.status, t.path, t.requestedPath, t.complete])).toEqual([
      [302, '/image/live.iso', undefined, true],
      [200, '/image/live.iso', '/image/live.iso?moved', true],
    ]);
    expect(following.log.transfers.map((t) => t.outcome)).toEqual(['redirected', 'whole']);
  });
});
