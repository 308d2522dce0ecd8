import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { onProcessExit } from '../util/exit-hooks.js';
import { nameConnections } from './connection-names.js';

/** Linux's sun_path: 108 bytes, the terminating NUL among them. */
const MAX_SOCKET_PATH_BYTES = 107;
/** Characters the guest forward's relay can name unquoted (qemu/qemu-args.ts refuses any other). */
const PLAIN_PATH = /^\/[\w./-]+$/;

/*
 * Where a publisher listens: UNIX sockets in a folder of its own, mode 0700, instead of TCP ports
 * on 127.0.0.1. The guest reaches them through QEMU's guest forwards, whose relay (run by QEMU as
 * the harness's user) connects to the socket file. A TCP port on loopback was open to every local
 * process: one could take an announced FTP passive port before the guest, hold every connection
 * slot, or clash with another run's ports. A socket in a 0700 folder is reachable by the
 * harness's own user and by root only; those can still connect to it (the folder keeps out
 * other users, not the user itself).
 */
export class SocketFolder {
  private constructor(
    readonly path: string,
    private readonly removeExitHook: () => void,
  ) {}

  /** A new folder under the temp dir (short, for sun_path), removed by remove() or at process exit. */
  static async create(): Promise<SocketFolder> {
    const path = await mkdtemp(join(tmpdir(), 'pxe-harness-sock-'));
    // mkdtemp makes it 0700 already; said here rather than left to the platform's default.
    await chmod(path, 0o700);
    // Synchronous: the last-resort hook runs in process.on('exit').
    return new SocketFolder(path, onProcessExit(() => rmSync(path, { recursive: true, force: true })));
  }

  /** Listens with `server` on the socket `name` of the folder, its connections named after it; resolves to the socket's path. */
  async listen(server: Server, name: string): Promise<string> {
    const path = join(this.path, name);
    if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES || !PLAIN_PATH.test(path)) {
      throw new HarnessError('host', `socket path unfit for a guest forward (over ${MAX_SOCKET_PATH_BYTES} bytes, or characters other than letters, digits, _ . / -): ${path}`, {
        input: `TMPDIR=${tmpdir()}`,
        fix: 'point TMPDIR at a folder with a short, plain path (such as /tmp)',
      });
    }
    nameConnections(server, name);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return path;
  }

  /** Removes the folder and every socket in it; the servers are closed first by their owner. */
  async remove(): Promise<void> {
    this.removeExitHook();
    await rm(this.path, { recursive: true, force: true });
  }
}
