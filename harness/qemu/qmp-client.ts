import { connect, type Socket } from 'node:net';

/*
 * A minimal QMP client: greeting, qmp_capabilities, then one command at a time. The QMP
 * packages on npm are small and unmaintained; the protocol part the harness needs (execute and
 * wait for the matching return or error) is a few lines of JSON over a socket.
 */
export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;
  private readonly eventListeners = new Set<(name: string) => void>();

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      for (const { reject } of this.pending.values()) reject(new Error('QMP connection closed'));
      this.pending.clear();
    });
    socket.on('error', () => undefined);
  }

  static async connect(path: string): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
    });
    const client = new QmpClient(socket);
    await client.execute('qmp_capabilities');
    return client;
  }

  execute(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('QMP connection closed'));
    const id = `c${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`QMP ${command} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  /**
   * Calls `listener` with the name of every QMP event from now on (RESET, STOP, SHUTDOWN, ...);
   * returns how to stop listening. Events before the call are gone: start QEMU with -S and
   * listen before `cont` to see them all.
   */
  onEvent(listener: (name: string) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let eol: number;
    while ((eol = this.buffer.indexOf('\n')) >= 0) {
      const text = this.buffer.slice(0, eol).trim();
      this.buffer = this.buffer.slice(eol + 1);
      if (!text) continue;
      let message: { id?: string; event?: string; return?: unknown; error?: { desc?: string } };
      try {
        message = JSON.parse(text);
      } catch {
        continue;
      }
      if (message.event) for (const listener of this.eventListeners) listener(message.event);
      // The greeting and events carry no id; qmp_capabilities is sent right away regardless.
      if (!message.id) continue;
      const waiter = this.pending.get(message.id);
      if (!waiter) continue;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`QMP error: ${message.error.desc ?? JSON.stringify(message.error)}`));
      else waiter.resolve(message.return);
    }
  }
}
