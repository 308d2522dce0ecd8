import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/** What a run could leave behind: QEMU and relay processes, temp dirs. */
export interface Leftovers {
  processes: string[];
  tempDirs: string[];
}

/** `tempRoot`: where the run makes its temp dirs (its TMPDIR); the system's by default. */
export async function leftovers(tempRoot = tmpdir()): Promise<Leftovers> {
  const processes: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ');
    if (/qemu-system-x86_64 .*pxe-harness|socat STDIO UNIX-CONNECT:|vblade .*pxa\d/.test(cmdline)) processes.push(`${entry}: ${cmdline.slice(0, 120)}`);
  }
  // The AoE publisher's network namespaces are named files in /run/netns: one left is a leak too.
  const namespaces = (await readdir('/run/netns').catch(() => [] as string[])).filter((n) => n.startsWith('pxe-aoe-')).map((n) => `network namespace ${n}`);
  processes.push(...namespaces);
  const tempDirs = (await readdir(tempRoot)).filter((name) => name.startsWith('pxe-harness-'));
  return { processes, tempDirs };
}

/** Leftovers that appeared since `before`. */
export async function newLeftovers(before: Leftovers, tempRoot = tmpdir()): Promise<Leftovers> {
  const now = await leftovers(tempRoot);
  return {
    processes: now.processes.filter((p) => !before.processes.includes(p)),
    tempDirs: now.tempDirs.filter((d) => !before.tempDirs.includes(d)),
  };
}
