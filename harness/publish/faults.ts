import { Transform, type TransformCallback, type Writable } from 'node:stream';

/**
 * Faults a publisher can inject into what it serves, per scenario, to prove that the harness
 * judges broken deliveries right:
 *  - status: refuse the published file (HTTP 404 or the given status; FTP 550);
 *  - cut: close the connection after this many bytes (a truncated ISO);
 *  - stall: stop sending after this many bytes, keeping the connection open (a hung server);
 *  - throttle: send at most this many bytes per second (a slow link);
 *  - corrupt: invert `count` bytes from `atByte` on and send the full length (a bad copy that no
 *    transfer log can tell from a good one: only the guest's comparison with the original can);
 *  - not-ready: the first `requests` requests for the file are told to ask again (HTTP 503 with
 *    Retry-After, FTP 450 to RETR: both transient by their RFCs), later ones are served: a server
 *    that comes up only once the guest first asks (socket activation, a cold cache, a mirror
 *    still syncing).
 */
export type PublishFault =
  | { kind: 'status'; status: number }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'throttle'; bytesPerSecond: number }
  | { kind: 'corrupt'; atByte: number; count: number }
  /**
   * http only: a request for the file without the query `moved` is answered with this redirect
   * status and `Location: <path>?moved`, which is served: a server that moved the file.
   */
  | { kind: 'redirect'; status: 301 | 302 | 307 | 308 }
  | { kind: 'not-ready'; requests: number };

/** Every field of each kind of fault (a scenario's publish.fault is checked against its kind's: a misspelt field is refused). */
export const FAULT_FIELDS = {
  status: { kind: true, status: true },
  cut: { kind: true, afterBytes: true },
  stall: { kind: true, afterBytes: true },
  throttle: { kind: true, bytesPerSecond: true },
  corrupt: { kind: true, atByte: true, count: true },
  redirect: { kind: true, status: true },
  'not-ready': { kind: true, requests: true },
} as const satisfies { [K in PublishFault['kind']]: Record<keyof Extract<PublishFault, { kind: K }>, true> };

/**
 * The not-ready fault's count, shared by every connection of one publisher: true while the
 * request for the file at hand must still be told to ask again. Always false for other faults.
 */
export function notReadyGate(fault: PublishFault | undefined): () => boolean {
  let refused = 0;
  return () => {
    if (fault?.kind !== 'not-ready' || refused >= fault.requests) return false;
    refused++;
    return true;
  };
}

/**
 * The byte stream of a transfer with the fault applied. A cut ends this stream after exactly
 * `afterBytes`; the publisher pipes it with `{ end: !cuts(fault) }` and, on its 'end', closes the
 * connection with closeAfterFlush() so that the client sees a short read of exactly that many bytes.
 */
export function faultStream(fault: PublishFault | undefined, fileOffset = 0): Transform {
  let passed = 0;
  let cutDone = false;
  let throttle: Throttle | undefined;
  return new Transform({
    destroy(error, callback) {
      throttle?.stop();
      callback(error);
    },
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!fault || fault.kind === 'status' || fault.kind === 'redirect' || fault.kind === 'not-ready') return callback(null, chunk);
      if (fault.kind === 'corrupt') {
        // The corrupted bytes are at file offsets: a transfer that starts at a REST offset gets them where the file has them.
        const out = corrupt(chunk, fileOffset + passed, fault);
        passed += chunk.length;
        return callback(null, out);
      }
      if (fault.kind === 'cut' || fault.kind === 'stall') {
        const room = fault.afterBytes - passed;
        // cut: drop the rest (the stream has ended; a cut at 0 ends it here); stall: never call back, so nothing flows.
        if (room <= 0) {
          if (fault.kind === 'stall') return;
          if (!cutDone) this.push(null);
          cutDone = true;
          return callback();
        }
        const part = chunk.subarray(0, room);
        passed += part.length;
        this.push(part);
        if (passed < fault.afterBytes) return callback();
        if (fault.kind === 'cut') {
          cutDone = true;
          this.push(null);
          return callback();
        }
        return; // stall
      }
      // throttle: split into slices and release them on a per-second budget.
      throttle ??= new Throttle(fault.bytesPerSecond);
      throttle.release(chunk, (part) => this.push(part), callback);
    },
  });
}

/**
 * The throttle fault's per-second budget. Its timer, the wait for the next window, is cleared by
 * stop() when the stream is destroyed (a stop, a client gone): none outlives the transfer to keep
 * the process alive.
 */
class Throttle {
  private windowStart = Date.now();
  private windowBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly bytesPerSecond: number) {}

  /** Pushes `chunk` in slices as the budget allows, then calls `done`. */
  release(chunk: Buffer, push: (part: Buffer) => void, done: () => void): void {
    if (!chunk.length) return done();
    const now = Date.now();
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    const budget = this.bytesPerSecond - this.windowBytes;
    if (budget <= 0) {
      this.timer = setTimeout(() => this.release(chunk, push, done), 1000 - (now - this.windowStart));
      return;
    }
    const part = chunk.subarray(0, budget);
    this.windowBytes += part.length;
    push(part);
    this.release(chunk.subarray(part.length), push, done);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

/** The chunk at stream offset `at`, with the bytes of [atByte, atByte+count) inverted (a copy; the file is untouched). */
function corrupt(chunk: Buffer, at: number, fault: { atByte: number; count: number }): Buffer {
  const from = Math.max(fault.atByte - at, 0);
  const to = Math.min(fault.atByte + fault.count - at, chunk.length);
  if (from >= to) return chunk;
  const copy = Buffer.from(chunk);
  for (let i = from; i < to; i++) copy[i] = copy[i]! ^ 0xff;
  return copy;
}

export const cuts = (fault: PublishFault | undefined): boolean => fault?.kind === 'cut';

/**
 * Closes a connection once every byte written to it has left the process (the kernel still sends
 * what it holds before the close), so that a cut delivers exactly what was written before it.
 */
export function closeAfterFlush(stream: Writable, socket: { writableLength: number; destroy(): void } | null | undefined, maxWaitMs = 10_000): void {
  const deadline = Date.now() + maxWaitMs;
  const poll = () => {
    const pending = stream.writableLength + (socket?.writableLength ?? 0);
    if (pending === 0 || Date.now() > deadline) {
      (socket ?? stream).destroy();
      stream.destroy();
    } else setTimeout(poll, 10);
  };
  poll();
}
