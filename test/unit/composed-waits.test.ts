import { describe, expect, it } from 'vitest';
import { ConsoleLog } from '../../harness/console/console-log.js';
import { ConsoleWaitError } from '../../harness/console/wait.js';
import { TransferLog } from '../../harness/publish/transfer-log.js';
import { TransferWaitError, Wait } from '../../harness/wait/index.js';
import { BIOS_PXELINUX_KIWI } from '../helpers/console-knowledge.js';

/** A boot's wait target without QEMU: a console fed by hand and a transfer log written by hand. */
function bootTarget() {
  const log = new ConsoleLog();
  const transfers = new TransferLog();
  return { log, transfers, console: log, ended: new Promise<string>(() => undefined), phase: () => 'fetch-root' };
}

const listeners = (t: ReturnType<typeof bootTarget>) => ({
  line: t.log.listenerCount('line'),
  partial: t.log.listenerCount('partial'),
  transfer: t.transfers.listenerCount('transfer'),
});

const goal = () =>
  Wait.anyOf(
    Wait.forLoginPrompt().withTimeout(10_000).withFailSignatures(BIOS_PXELINUX_KIWI.failSignatures),
    Wait.forFailedTransfer(),
    Wait.forStalledTransfer(300),
  );

describe('a boot goal composed of waits (any-of)', () => {
  it('resolves at the login prompt and lets go of the console and the transfer log', async () => {
    const t = bootTarget();
    const waiting = goal().waitUntilReady(t);
    expect(listeners(t)).toEqual({ line: 1, partial: 1, transfer: 1 });
    t.log.push('vm login: ');
    expect((await waiting).text).toBe('vm login:');
    expect(listeners(t)).toEqual({ line: 0, partial: 0, transfer: 0 });
  });

  it('rejects with the failed transfer, named, and the login wait lets go too', async () => {
    const t = bootTarget();
    const waiting = goal().waitUntilReady(t).catch((e: unknown) => e);
    const transfer = t.transfers.begin({ protocol: 'http', method: 'GET', path: '/image/x.iso', client: 'c', sizeBytes: 100 });
    transfer.addBytes(40);
    transfer.end(200, 'partial');
    const error = (await waiting) as TransferWaitError;
    expect(error).toBeInstanceOf(TransferWaitError);
    expect(error.failure).toBe('transfer-failed');
    expect(error.message).toMatch(/^transfer failed: http GET \/image\/x\.iso -> 200 INCOMPLETE, 40 B of 100 B/);
    expect(listeners(t)).toEqual({ line: 0, partial: 0, transfer: 0 });
  });

  it('rejects with a stall when a running transfer sends nothing for the stall time', async () => {
    const t = bootTarget();
    const waiting = goal().waitUntilReady(t).catch((e: unknown) => e);
    t.transfers.begin({ protocol: 'ftp', method: 'RETR', path: '/image/x.iso', client: 'c', sizeBytes: 100 }).addBytes(10);
    const error = (await waiting) as TransferWaitError;
    expect(error.failure).toBe('transfer-stalled');
    expect(error.message).toMatch(/^transfer stalled: ftp RETR \/image\/x\.iso sent no byte for \d+ s after 10 B of 100 B/);
  }, 5_000);

  it('a fail signature on the console decides, with its own message, before any transfer', async () => {
    const t = bootTarget();
    const waiting = goal().waitUntilReady(t).catch((e: unknown) => e);
    t.log.push('[   80.1] dracut: FATAL: Failed to mount live ISO device\n');
    const error = (await waiting) as ConsoleWaitError;
    expect(error).toBeInstanceOf(ConsoleWaitError);
    expect(error.failure).toBe('signature');
    expect(error.message).toMatch(/dracut gave up \(FATAL\)/);
    expect(listeners(t)).toEqual({ line: 0, partial: 0, transfer: 0 });
  });

  it('quotes a deciding line whole: a line still arriving is not judged before its end', async () => {
    const t = bootTarget();
    const waiting = goal().waitUntilReady(t).catch((e: unknown) => e);
    t.log.push('Loading boot/linux... failed: No such file or direct');
    await new Promise((r) => setTimeout(r, 20));
    t.log.push('ory\r\nboot: ');
    const error = (await waiting) as ConsoleWaitError;
    expect(error.failure).toBe('signature');
    expect(error.message).toBe('the PXE loader could not load what it needed: "Loading boot/linux... failed: No such file or directory"');
  });

  it('an outer abort ends every wait and leaves no listener behind', async () => {
    const t = bootTarget();
    const controller = new AbortController();
    const waiting = goal().waitUntilReady(t, controller.signal).catch((e: unknown) => e);
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    expect(listeners(t)).toEqual({ line: 0, partial: 0, transfer: 0 });
  });

  it('names every wait it races in its description', () => {
    expect(goal().description).toMatch(/^any of: console line matching .*login.*; a failed or incomplete transfer; a transfer that sends no byte for 0 s$/);
  });
});
