import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestRelays, relayArgv } from '../../harness/qemu/guest-relays.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const until = async (holds: () => boolean | Promise<boolean>, withinMs = 3_000) => {
  const deadline = Date.now() + withinMs;
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error('did not happen in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

// As libslirp runs a guest forward's command: a session of its own (detached), the connection on stdio.
describe.skipIf(!existsSync('/usr/bin/socat'))('guest-forward relays bound to their machine', () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // The publisher's side, as publish/socket-folder.ts makes it: a UNIX socket, no TCP port.
  async function startRelay() {
    dir = await mkdtemp(join(tmpdir(), 'relays-'));
    const socketPath = join(dir, 'service.sock');
    server = createServer((socket) => socket.on('data', (chunk) => socket.write(`echo:${chunk}`)));
    await new Promise<void>((resolve) => server!.listen(socketPath, resolve));
    const relays = new GuestRelays(join(dir, 'relays'));
    await relays.prepare();
    const [command, ...args] = relayArgv(socketPath, relays.pidDir);
    const relay = spawn(command!, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    return { relays, relay };
  }

  it('relays the connection to the UNIX socket and keeps its pid in the folder while it runs', async () => {
    const { relays, relay } = await startRelay();
    expect(relay.spawnargs.join(' ')).toMatch(/socat STDIO UNIX-CONNECT:\/\S+\/service\.sock;/);
    let answer = '';
    relay.stdout.on('data', (chunk) => (answer += chunk));
    relay.stdin.write('hi');
    await until(() => answer === 'echo:hi');
    expect(await relays.pids()).toEqual([relay.pid]);
    // The connection ends (QEMU closed its side): the relay ends and takes its pid file along.
    relay.stdin.end();
    await until(async () => (await readdir(relays.pidDir)).length === 0);
    await until(() => !alive(relay.pid!));
  });

  it('stop() ends every relay of the machine, sh and socat alike', async () => {
    const { relays, relay } = await startRelay();
    await until(async () => (await relays.pids()).length === 1);
    const exited = new Promise((resolve) => relay.once('exit', resolve));
    await relays.stop();
    await exited;
    expect(await readdir(relays.pidDir)).toEqual([]);
    // socat was in the relay's process group: nothing of it is left.
    await until(() => {
      try {
        process.kill(-relay.pid!, 0);
        return false;
      } catch {
        return true;
      }
    });
  });
});
