import { createReadStream } from 'node:fs';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { closeAfterFlush, cuts, faultStream, type PublishFault } from './faults.js';

/**
 * Read size of the file. A write the kernel fails part-way is not counted at all, so this bounds
 * how far bytesSent may fall short of what the client got from a connection that broke.
 */
export const SEND_CHUNK_BYTES = 256 * 1024;

export interface SendOptions {
  filePath: string;
  /** First byte to send (REST). */
  offset: number;
  sizeBytes: number;
  fault?: PublishFault | undefined;
  /** Bytes the kernel has just accepted. */
  onProgress(bytes: number): void;
  /** Aborting closes the data connection (ABOR, the session ending). */
  signal: AbortSignal;
  /** Close the connection when the client has read nothing for this long while bytes wait for it. */
  stuckMs: number;
}

export interface SendResult {
  /** Bytes whose write the kernel accepted: neither bytes still queued in the process nor a failed write. */
  bytesSent: number;
  /** Every byte from the offset to the end was written. */
  finished: boolean;
  /** The client closed or broke the data connection before the last byte was written. */
  clientClosedEarly: boolean;
}

/**
 * Writes a file from `offset` to the data connection with the fault applied, counting only the
 * writes the kernel has completed. Neither the bytes handed to write() nor socket.bytesWritten
 * will do: both include what Node still queues, which is how an aborted transfer came to be
 * logged with megabytes the client never got. Resolves once the connection is closed or every
 * byte is written; the caller closes it.
 */
export function sendFile(data: Socket, options: SendOptions): Promise<SendResult> {
  return new Promise((resolve) => {
    const expected = options.sizeBytes - options.offset;
    let closedByServer = false;
    const source = createReadStream(options.filePath, { start: options.offset, highWaterMark: SEND_CHUNK_BYTES });
    const stream = faultStream(options.fault, options.offset);
    const writes = new CountedWrites(data, options.onProgress);
    const closeByServer = () => {
      closedByServer = true;
      data.destroy();
    };
    source.on('error', closeByServer);
    writes.drainFrom(stream);
    stream.on('end', () => {
      if (!cuts(options.fault)) return data.end();
      // A cut closes the connection, but only once every write before it has been counted and
      // has left the process, so that the client gets, and the log says, exactly N bytes.
      closedByServer = true;
      writes.whenNonePending(() => closeAfterFlush(data, data));
    });
    source.pipe(stream);
    options.signal.addEventListener('abort', closeByServer, { once: true });
    // Idle only while bytes wait on the client: a stall fault holds bytes back and must not end here.
    const watch = setInterval(() => data.writableLength > 0 && Date.now() - writes.lastProgressAt > options.stuckMs && closeByServer(), Math.min(1_000, options.stuckMs / 2));
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearInterval(watch);
      options.signal.removeEventListener('abort', closeByServer);
      source.destroy();
      stream.destroy();
      const written = writes.written;
      resolve({ bytesSent: written, finished: written === expected, clientClosedEarly: !closedByServer && written < expected });
    };
    // 'finish' comes after the last write's callback; 'close' when the connection ended first.
    data.once('finish', settle);
    data.once('close', settle);
  });
}

/** Moves a stream's chunks into a socket, with backpressure, counting the writes the kernel completed. */
class CountedWrites {
  written = 0;
  lastProgressAt = Date.now();
  private pending = 0;
  private onNonePending: (() => void) | undefined;

  constructor(
    private readonly data: Socket,
    private readonly onProgress: (bytes: number) => void,
  ) {}

  drainFrom(stream: Readable): void {
    stream.on('data', (chunk: Buffer) => {
      this.pending++;
      if (this.data.write(chunk, (error) => this.completed(chunk.length, error))) return;
      stream.pause();
      this.data.once('drain', () => stream.resume());
    });
  }

  whenNonePending(callback: () => void): void {
    if (this.pending === 0) return callback();
    this.onNonePending = callback;
  }

  private completed(bytes: number, error: Error | null | undefined): void {
    this.pending--;
    // Node reports a write still pending when the socket was destroyed (a reset, an ABOR) as a
    // success: only completions seen while the socket is whole are counted.
    if (!error && !this.data.destroyed) {
      this.written += bytes;
      this.lastProgressAt = Date.now();
      this.onProgress(bytes);
    }
    if (this.pending === 0) this.onNonePending?.();
  }
}
