/*
 * A minimal FTP client for the publisher benchmark, over the publisher's UNIX sockets (the path the
 * guest's relays take): the control conversation in this process, the data read by socat into
 * /dev/null 16 KiB at a time, as curl -o /dev/null reads it. curl itself cannot: its --unix-socket
 * carries the control connection only, and the data connection would go to the announced address.
 */
import { connect, type Socket } from 'node:net';
import { execa } from 'execa';
import type { Publisher } from '../harness/publish/publisher.js';

/** curl's receive buffer (CURLOPT_BUFFERSIZE's default). */
const READ_BYTES = 16 * 1024;

/** Replies of a control connection, in order; multi-line replies are skipped to their last line. */
class ControlReplies {
  private text = '';
  private waiting: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.waiting?.();
    });
  }

  /** Sends `command` (none: only waits) and resolves to the text of the next reply, which must have code `want`. */
  async next(want: number, command?: string): Promise<string> {
    if (command) this.socket.write(`${command}\r\n`);
    for (;;) {
      const m = /^(\d{3}) ([^\r\n]*)\r\n/m.exec(this.text);
      if (m) {
        this.text = this.text.slice(m.index + m[0].length);
        if (Number(m[1]) !== want) throw new Error(`FTP: wanted ${want} after ${command ?? 'connecting'}, got ${m[0].trim()}`);
        return m[2]!;
      }
      await new Promise<void>((resolve, reject) => {
        this.waiting = resolve;
        this.socket.once('close', () => reject(new Error(`FTP: control connection closed waiting for ${want}`)));
      });
    }
  }
}

/** Fetches `path` (of `sizeBytes`) from an FTP publisher through its sockets; resolves to MB/s over the whole fetch. */
export async function ftpFetchRate(publisher: Publisher, path: string, sizeBytes: number): Promise<number> {
  const startedMs = performance.now();
  const control = new ControlReplies(connect(publisher.forwards[0]!.hostSocket));
  try {
    await control.next(220);
    await control.next(331, 'USER anonymous');
    await control.next(230, 'PASS x');
    await control.next(200, 'TYPE I');
    const port = Number(/\|\|\|(\d+)\|/.exec(await control.next(229, 'EPSV'))?.[1]);
    const data = publisher.forwards.find((f) => f.guestPort === port);
    if (!data) throw new Error(`FTP: EPSV announced port ${port}, which has no forward`);
    const reader = execa('socat', ['-u', '-b', String(READ_BYTES), `UNIX-CONNECT:${data.hostSocket}`, 'OPEN:/dev/null,wronly']);
    await control.next(150, `RETR ${path}`);
    await control.next(226);
    await reader;
    return sizeBytes / 1e6 / ((performance.now() - startedMs) / 1000);
  } finally {
    control.socket.destroy();
  }
}
