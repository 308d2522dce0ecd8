import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { launchProcess } from '../../harness/process/launch-process.js';

/**
 * Whether a process still runs: a killed orphan stays a zombie until its new parent reaps it
 * (in a container that may be never), and kill(pid, 0) counts zombies as alive.
 */
const runs = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const soon = async (holds: () => boolean) => {
  for (const deadline = Date.now() + 2_000; !holds() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  return holds();
};

/** A shell that forks a sleep into its group and says the sleep's pid; `ignoreTerm` makes both deaf to SIGTERM. */
function launchShell(ignoreTerm: boolean, closeSteps?: Parameters<typeof launchProcess>[0]['closeSteps']) {
  const script = `${ignoreTerm ? 'trap "" TERM; ' : ''}sleep 30 & echo $!; wait`;
  const launched = launchProcess({ command: 'sh', args: ['-c', script], stdout: 'pipe', ...(closeSteps ? { closeSteps } : {}) });
  if (!launched) throw new Error('sh did not start');
  const grandchild = new Promise<number>((resolve) => launched.child.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
  return { launched, grandchild };
}

describe('launchProcess', () => {
  it('stop() ends the whole group with SIGTERM by default, and reports how it ended', async () => {
    const { launched, grandchild } = launchShell(false);
    const sleeper = await grandchild;
    expect(launched.running).toBe(true);
    const exit = await launched.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(launched.running).toBe(false);
    expect(await soon(() => !runs(sleeper))).toBe(true);
  });

  it('tries the close steps in order, then SIGKILLs the group when none worked', async () => {
    const tried: string[] = [];
    const { launched, grandchild } = launchShell(true, (self) => [
      { attempt: () => tried.push('polite'), settleMs: 100 },
      { attempt: () => (tried.push('term'), self.signal('SIGTERM')), settleMs: 100 },
    ]);
    const sleeper = await grandchild;
    const startedAt = Date.now();
    const exit = await launched.stop();
    expect(tried).toEqual(['polite', 'term']);
    expect(exit.signal).toBe('SIGKILL');
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    // The sleep shared the group, and SIGTERM could not end it either: SIGKILL did.
    expect(await soon(() => !runs(sleeper))).toBe(true);
  });

  it('stops at the first close step that works, and stop() is idempotent', async () => {
    const tried: string[] = [];
    const { launched, grandchild } = launchShell(true, (self) => [
      { attempt: () => (tried.push('kill'), self.signal('SIGKILL')), settleMs: 1_000 },
      { attempt: () => tried.push('never'), settleMs: 1_000 },
    ]);
    await grandchild;
    const first = launched.stop();
    expect(launched.stop()).toBe(first);
    await first;
    expect(tried).toEqual(['kill']);
    expect(await launched.stop()).toEqual(await launched.exited);
  });

  it('a close step that throws leaves the next way', async () => {
    const { launched, grandchild } = launchShell(false, (self) => [
      { attempt: () => { throw new Error('QMP is gone'); }, settleMs: 10 },
      { attempt: () => self.signal('SIGTERM'), settleMs: 1_000 },
    ]);
    await grandchild;
    expect((await launched.stop()).signal).toBe('SIGTERM');
  });

  it('exited settles with the code of a child that ends by itself', async () => {
    const launched = launchProcess({ command: 'sh', args: ['-c', 'exit 3'] })!;
    expect(await launched.exited).toEqual({ code: 3, signal: undefined });
    expect(launched.running).toBe(false);
  });
});
