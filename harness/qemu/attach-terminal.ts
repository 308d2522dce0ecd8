import type { StartedMachine } from './machine.js';

/** Ctrl-] quits, as in telnet and virsh console. */
export const QUIT_KEY = '\x1d';

/**
 * Attaches the serial console to this terminal: the guest's output is written raw to stdout, the
 * keys typed go to the guest. Resolves when the user presses Ctrl-] or QEMU exits; the caller
 * then stops the machine as usual.
 */
export async function attachTerminal(machine: StartedMachine, out: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin): Promise<'quit' | 'exited'> {
  out.write(`\r\n[pxe-harness] console attached; press Ctrl-] to quit and clean up\r\n`);
  // What the guest wrote before the attach, so the screen makes sense.
  out.write(machine.console.tail(15).join('\r\n') + '\r\n');
  const onData = (chunk: Buffer) => out.write(chunk);
  const serial = machine.serialStream;
  serial?.on('data', onData);
  const wasRaw = input.isTTY ? input.isRaw : false;
  if (input.isTTY) input.setRawMode(true);
  input.resume();
  try {
    return await new Promise<'quit' | 'exited'>((resolve) => {
      input.on('data', (key: Buffer) => {
        if (key.includes(QUIT_KEY.charCodeAt(0))) resolve('quit');
        else machine.write(key.toString('latin1'));
      });
      machine.exited.then(() => resolve('exited'));
    });
  } finally {
    serial?.off('data', onData);
    if (input.isTTY) input.setRawMode(wasRaw);
    input.pause();
    out.write('\r\n[pxe-harness] console detached\r\n');
  }
}
