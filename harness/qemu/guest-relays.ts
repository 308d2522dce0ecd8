import { readdirSync } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { signalGroup } from '../process/signal-group.js';
import { onProcessExit } from '../util/exit-hooks.js';

/*
 * A guest forward's relays are not started by the harness but by QEMU: libslirp spawns one
 * `socat STDIO UNIX-CONNECT:<socket>` per guest connection (to the server's UNIX socket; no
 * server listens on TCP, see publish/socket-folder.ts), in a session of its own (setsid), so it
 * is outside QEMU's process group and may outlive QEMU by a moment. To bind them to their
 * machine all the same, each relay runs under a small sh that writes its pid (= its process
 * group, setsid made it the leader) into the machine's relay folder and removes it when the
 * relay ends: the folder always lists the machine's live relays, and stop() stops them.
 */

/** The relay's own command: the guest connection on stdio, joined to the host socket. */
export const socatToSocket = (hostSocket: string): string => `socat STDIO UNIX-CONNECT:${hostSocket}`;

/**
 * What QEMU runs per guest connection; argv form, so that tests can run it without QEMU. The
 * socket's path is written into the script: qemu-args.ts admits only paths that need no quoting.
 */
export function relayArgv(hostSocket: string, pidDir: string): string[] {
  // Errors of the pid-file bookkeeping go to /dev/null: the relay's stderr is the guest's TCP stream.
  const script = `{ echo >"$1/$$"; } 2>/dev/null; ${socatToSocket(hostSocket)}; rm -f "$1/$$" 2>/dev/null`;
  return ['sh', '-c', script, 'relay', pidDir];
}

/** The guest-forward relays of one machine, known by the pid files in its relay folder. */
export class GuestRelays {
  private removeExitHook?: () => void;

  constructor(readonly pidDir: string) {}

  /** Makes the folder, and kills whatever relays it lists should the harness exit first. */
  async prepare(): Promise<void> {
    await mkdir(this.pidDir, { recursive: true });
    // Synchronous: the last-resort hook runs in process.on('exit').
    this.removeExitHook = onProcessExit(() => {
      for (const name of readdirSync(this.pidDir)) if (/^\d+$/.test(name)) signalGroup(Number(name), 'SIGKILL');
    });
  }

  /** The live relays' pids, the latest started first. */
  async pids(): Promise<number[]> {
    const names = (await readdir(this.pidDir).catch(() => [] as string[])).filter((n) => /^\d+$/.test(n));
    const started = await Promise.all(names.map(async (n) => ({ pid: Number(n), atMs: await stat(join(this.pidDir, n)).then((s) => s.mtimeMs, () => 0) })));
    return started.sort((a, b) => b.atMs - a.atMs).map((r) => r.pid);
  }

  /** SIGTERM to each relay's group, in reverse order of start; not waited for (socat ends at once on it). */
  async stop(): Promise<void> {
    this.removeExitHook?.();
    for (const pid of await this.pids()) {
      signalGroup(pid, 'SIGTERM');
      await rm(join(this.pidDir, String(pid)), { force: true });
    }
  }
}
