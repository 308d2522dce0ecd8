import { Transform, type TransformCallback } from 'node:stream';

/**
 * Faults a publisher can inject into what it serves, per scenario, to prove that the harness
 * judges broken deliveries right:
 *  - status: refuse the published file (HTTP 404 or the given status; FTP 550);
 *  - cut: close the connection after this many bytes (a truncated ISO);
 *  - stall: stop sending after this many bytes, keeping the connection open (a hung server);
 *  - throttle: send at most this many bytes per second (a slow link).
 */
export type PublishFault =
  | { kind: 'status'; status: number }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'stall'; afterBytes: number }
  | { kind: 'throttle'; bytesPerSecond: number };

export function describeFault(fault: PublishFault): string {
  switch (fault.kind) {
    case 'status':
      return `answers ${fault.status}`;
    case 'cut':
      return `cuts the connection after ${fault.afterBytes} bytes`;
    case 'stall':
      return `stalls after ${fault.afterBytes} bytes`;
    case 'throttle':
      return `sends at most ${fault.bytesPerSecond} bytes/s`;
  }
}

/**
 * The byte stream of a transfer with the fault applied. `onCut` is called when a cut fault wants
 * the connection closed (the publisher destroys its socket, so the client sees a short read).
 */
export function faultStream(fault: PublishFault | undefined, onCut: () => void): Transform {
  let passed = 0;
  let windowStart = Date.now();
  let windowBytes = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!fault || fault.kind === 'status') return callback(null, chunk);
      if (fault.kind === 'cut' || fault.kind === 'stall') {
        const room = fault.afterBytes - passed;
        if (room <= 0) {
          if (fault.kind === 'cut') onCut();
          return; // stall: never call back, so nothing more flows and nothing ends
        }
        const part = chunk.subarray(0, room);
        passed += part.length;
        this.push(part);
        if (part.length < chunk.length || passed >= fault.afterBytes) {
          if (fault.kind === 'cut') {
            // Let the last bytes drain before the connection goes.
            setImmediate(onCut);
            return;
          }
          return; // stall
        }
        return callback();
      }
      // throttle: split into slices and release them on a per-second budget.
      const send = (rest: Buffer): void => {
        if (!rest.length) return callback();
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          windowBytes = 0;
        }
        const budget = fault.bytesPerSecond - windowBytes;
        if (budget <= 0) {
          setTimeout(() => send(rest), 1000 - (now - windowStart));
          return;
        }
        const part = rest.subarray(0, budget);
        windowBytes += part.length;
        this.push(part);
        send(rest.subarray(part.length));
      };
      send(chunk);
    },
  });
}
