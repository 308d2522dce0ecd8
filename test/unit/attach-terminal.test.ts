import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConsoleLog } from '../../harness/console/console-log.js';
import { attachTerminal, QUIT_KEY } from '../../harness/qemu/attach-terminal.js';
import type { StartedMachine } from '../../harness/qemu/machine.js';

// The key handling of the terminal attach, against a stand-in machine (the real boot is in
// test/boot/reproduce.test.ts).
function standIn() {
  const serial = new PassThrough();
  const typed: string[] = [];
  let exit!: () => void;
  const machine = {
    console: Object.assign(new ConsoleLog(), {}),
    serialStream: serial,
    write: (t: string) => typed.push(t),
    exited: new Promise<void>((r) => (exit = r)),
  } as unknown as StartedMachine;
  return { machine, serial, typed, exit: () => exit() };
}

describe('attachTerminal', () => {
  it('shows the guest output, types the keys into the guest, and quits on Ctrl-]', async () => {
    const { machine, serial, typed } = standIn();
    const out = new PassThrough();
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    let shown = '';
    out.on('data', (c: Buffer) => (shown += c.toString()));
    const attached = attachTerminal(machine, out as unknown as NodeJS.WriteStream, input);
    serial.write('fixture login: ');
    (input as unknown as PassThrough).write('root\n');
    await new Promise((r) => setTimeout(r, 20));
    (input as unknown as PassThrough).write(QUIT_KEY);
    expect(await attached).toBe('quit');
    expect(typed).toEqual(['root\n']);
    expect(shown).toContain('fixture login: ');
    expect(shown).toContain('console detached');
  });

  it('returns when the machine exits', async () => {
    const { machine, exit } = standIn();
    const attached = attachTerminal(machine, new PassThrough() as unknown as NodeJS.WriteStream, new PassThrough() as unknown as NodeJS.ReadStream);
    exit();
    expect(await attached).toBe('exited');
  });
});
