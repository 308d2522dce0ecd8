import { readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { execa } from 'execa';

/**
 * Bytes a server handed the kernel that the client has not read, on a UNIX stream socket: they
 * sit in the client's receive queue (a UNIX socket has no send queue of its own: a write goes
 * straight to the peer's), which `ss -x` reports as Recv-Q, found by the client socket's inode.
 */
export async function bytesInKernel(client: Socket): Promise<number> {
  const fd = (client as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) throw new Error('the client socket has no file descriptor');
  const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  const { stdout } = await execa('ss', ['-x', '-n', '-H']);
  for (const line of stdout.split('\n')) {
    // Netid State Recv-Q Send-Q Local-Address Local-Inode Peer-Address Peer-Inode
    const f = line.trim().split(/\s+/);
    if (f[5] === inode) return Number(f[2]);
  }
  throw new Error(`socket inode ${inode} not in ss -x`);
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
