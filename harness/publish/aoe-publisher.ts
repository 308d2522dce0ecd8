import { LogFile } from '../util/log-file.js';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { execa } from 'execa';
import { HarnessError } from '../errors.js';
import { launchProcess, type LaunchedProcess } from '../process/launch-process.js';
import { onProcessExit } from '../util/exit-hooks.js';
import { requireTool } from '../util/host-tools.js';
import type { PublishedFiles } from './published-files.js';
import type { EthernetSegment, Publisher } from './publisher.js';
import type { TransferLog } from './transfer-log.js';

/** The AoE address the ISO is exported at: shelf 0, slot 1, which the guest sees as /dev/etherd/e0.1. */
export const AOE_TARGET = { shelf: 0, slot: 1 } as const;

let segments = 0;

/** Why AoE cannot be published on this host, or undefined when it can (a network namespace needs root). */
export function aoeUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'AoE needs a network namespace of the harness\'s own (ip netns), which only root may create; run as root';
  return undefined;
}

/**
 * Publishes the ISO over ATA over Ethernet: Debian's vblade exports it read-only (-r) on an
 * Ethernet segment that is a network namespace of the harness's own. The boot's QEMU gets a
 * second NIC on a tap device, which is moved into that namespace before the guest runs, so the
 * guest's frames reach vblade and nothing else (AoE is layer 2: slirp cannot carry it). Nothing
 * in the namespace has an address or a route; it and the tap vanish with stop().
 */
export async function startAoePublisher(files: PublishedFiles, log: TransferLog, options: { logDir: string }): Promise<Publisher> {
  const why = aoeUnavailable();
  if (why) throw new HarnessError('host', why, { fix: 'run the harness as root, or leave out the AoE scenario' });
  const vblade = await requireTool('vblade');
  // The path found (ip lives in /usr/sbin, which a PATH may lack), for every ip command below.
  const ipPath = await requireTool('ip');
  const ip = (args: string[]) => execa(ipPath, args, { stdin: 'ignore' });
  const [file] = files.list();
  if (!file) throw new RangeError('the AoE publisher exports one file, and none was published');
  const netns = `pxe-aoe-${process.pid}-${++segments}`;
  await ip(['netns', 'add', netns]);
  // Synchronous: the last-resort hook runs in process.on('exit').
  const removeNetns = () => {
    try {
      execFileSync(ipPath, ['netns', 'delete', netns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  };
  const removeExitHook = onProcessExit(removeNetns);
  const exporters = new Set<LaunchedProcess>();
  const segment: EthernetSegment = {
    netns,
    async join(tap: string) {
      await ip(['link', 'set', 'dev', tap, 'netns', netns]);
      await ip(['-n', netns, 'link', 'set', 'dev', tap, 'up']);
      const exporter = await startVblade({ ipPath, vblade, netns, tap, filePath: file.filePath, logPath: join(options.logDir, `vblade-${tap}.log`) });
      exporters.add(exporter);
      return async () => {
        exporters.delete(exporter);
        await exporter.stop();
      };
    },
  };
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      // The latest started first; each ends before the namespace it serves in goes.
      for (const exporter of [...exporters].reverse()) await exporter.stop();
      exporters.clear();
      removeNetns();
      removeExitHook();
    })());
  return {
    protocol: 'aoe',
    forwards: [],
    transfers: log,
    segment,
    // AoE has no URL: the target's name as the guest's aoe driver shows it (/dev/etherd/e0.1).
    url: () => `aoe:e${AOE_TARGET.shelf}.${AOE_TARGET.slot}`,
    source: () => ({ kind: 'aoe', shelf: AOE_TARGET.shelf, slot: AOE_TARGET.slot }),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** vblade in the namespace on the tap, read-only, its output in the boot's folder; in a process group of its own. */
async function startVblade(at: { ipPath: string; vblade: string; netns: string; tap: string; filePath: string; logPath: string }): Promise<LaunchedProcess> {
  const { ipPath, vblade, netns, tap, filePath, logPath } = at;
  // A LogFile: a full disk loses the log's tail, never the harness (a bare write stream's error is unhandled).
  const out = new LogFile(logPath);
  // closeSteps []: vblade has nothing to save, stop() kills its group at once (as it always did).
  const exporter = launchProcess({
    command: ipPath,
    args: ['netns', 'exec', netns, vblade, '-r', String(AOE_TARGET.shelf), String(AOE_TARGET.slot), tap, filePath],
    stdout: 'pipe', stderr: 'pipe', all: true, closeSteps: () => [],
  });
  if (!exporter) throw new HarnessError('host', `vblade did not start in ${netns}`, { fix: 'run pxe-harness doctor' });
  const { child } = exporter;
  child.all?.on('data', (chunk: Buffer) => out.write(chunk));
  void exporter.exited.then(() => out.end());
  // vblade says "pid N: e0.1, S sectors" once it serves; an early exit is a host fault.
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => child.all?.on('data', (chunk: Buffer) => /sectors/.test(chunk.toString()) && resolve(true))),
    exporter.exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 3_000)),
  ]);
  if (!ready) throw new HarnessError('host', `vblade exited at once in ${netns} on ${tap}: see ${logPath}`, { fix: 'run vblade by hand with the same arguments' });
  return exporter;
}
