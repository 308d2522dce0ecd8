import { readFileSync } from 'node:fs';

/**
 * Send and receive queues of loopback TCP sockets, keyed `localPort>remotePort`, as the kernel
 * reports them (/proc/net/tcp): what a server handed the kernel and the client has not read.
 */
export function tcpQueues(): Map<string, { tx: number; rx: number }> {
  const queues = new Map<string, { tx: number; rx: number }>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5) continue;
    const [tx, rx] = f[4]!.split(':').map((h) => parseInt(h, 16));
    queues.set(`${parseInt(f[1]!.split(':')[1]!, 16)}>${parseInt(f[2]!.split(':')[1]!, 16)}`, { tx: tx!, rx: rx! });
  }
  return queues;
}

/** Bytes on their way from the server's port to the client's: its send queue and the client's receive queue. */
export function bytesInKernel(serverPort: number, clientPort: number): number {
  const queues = tcpQueues();
  return (queues.get(`${serverPort}>${clientPort}`)?.tx ?? 0) + (queues.get(`${clientPort}>${serverPort}`)?.rx ?? 0);
}

/**
 * Waits until a server blocked by a client that reads nothing has stopped writing: the running
 * transfer's count holds still between two looks (at most 5 s), then 300 ms more for the kernel.
 * Every byte the server handed over is then in the kernel's queues.
 */
export async function serverStoppedWriting(log: { running: Iterable<{ bytesSent: number }> }): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  let last = -1;
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await sleep(100)) {
    const now = [...log.running][0]?.bytesSent ?? -1;
    if (now > 0 && now === last) break;
    last = now;
  }
  await sleep(300);
}
