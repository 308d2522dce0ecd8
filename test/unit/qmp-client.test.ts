import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QmpClient } from '../../harness/qemu/qmp-client.js';

describe('QmpClient events', () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('onEvent hears every event after it listens, and commands still get their answers', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qmp-'));
    const path = join(dir, 'qmp.sock');
    // A QMP server in miniature: greeting, then each command's return, and `cont` fires two events.
    server = createServer((socket) => {
      socket.write('{"QMP": {"version": {}, "capabilities": []}}\n');
      socket.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n').filter(Boolean)) {
          const { execute, id } = JSON.parse(line) as { execute: string; id: string };
          if (execute === 'cont') socket.write('{"event": "RESET", "timestamp": {}}\n{"event": "STOP", "timestamp": {}}\n');
          socket.write(`${JSON.stringify({ return: {}, id })}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server!.listen(path, resolve));
    const qmp = await QmpClient.connect(path);
    const heard: string[] = [];
    const stop = qmp.onEvent((name) => heard.push(name));
    await expect(qmp.execute('cont')).resolves.toEqual({});
    expect(heard).toEqual(['RESET', 'STOP']);
    stop();
    await qmp.execute('cont');
    expect(heard).toEqual(['RESET', 'STOP']);
    qmp.close();
  });
});
