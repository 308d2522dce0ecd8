import { readdir, readFile } from 'node:fs/promises';

/** Signals a whole process group (the child was spawned detached, so its pid is the group id). */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Processes whose command line contains every one of `needles`. Used to find guest-forward relays
 * (socat), which libslirp starts in a session of their own and so outlive QEMU's process group.
 */
export async function findProcesses(needles: string[]): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const text = cmdline.split('\0').join(' ');
    if (text && needles.every((n) => text.includes(n))) found.push(Number(entry));
  }
  return found;
}

export function killQuietly(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}
