import { access, constants, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { dir as tmpDir } from 'tmp-promise';
import { launchProcess } from '../process/launch-process.js';
import { requireTool } from '../util/host-tools.js';
import { QmpClient } from './qmp-client.js';

export interface AccelProbe {
  usable: boolean;
  detail: string;
}

/**
 * What the probe boots: the machine and the firmware, as the caller will boot them (the firmware
 * axis describes its own: firmware/probe-machine.ts). QEMU_DEFAULT_MACHINE is QEMU's own default,
 * SeaBIOS on `pc`.
 */
export interface ProbeMachine {
  /** Names the machine in the cached answer's key (a firmware's id): each machine is probed on its own. */
  id: string;
  /** QEMU's machine type (`-machine TYPE`). */
  machineType: string;
  /**
   * QEMU arguments that select the firmware, given the probe's own temp dir (which goes when the
   * probe ends): pflash drives with a copy of a variables store there, say. Called only when the
   * probe runs, never for a cached answer.
   */
  args(runtimeDir: string): Promise<string[]>;
  /** How long the firmware has to send its first PXE request before KVM is judged unusable. */
  settleMs: number;
}

/**
 * 3 s, measured with QEMU 7.2 and SeaBIOS 1.16.2 + its iPXE ROM: under TCG the first DHCP request
 * leaves 2.4 to 2.8 s after start (7 runs, also two at once). Most of it is iPXE's fixed 2 s
 * "Press Ctrl-B" wait, which lasts as long under KVM, and the rest only gets faster, so a working
 * KVM answers in about 2.3 s. A broken one is never waited for longer than this. A firmware
 * that needs more says so in its ProbeMachine's settleMs.
 */
export const DEFAULT_SETTLE_MS = 3_000;

/** QEMU's default machine and firmware (SeaBIOS on `pc`): what a probe without a machine boots. */
export const QEMU_DEFAULT_MACHINE: ProbeMachine = { id: 'qemu-default', machineType: 'pc', args: async () => [], settleMs: DEFAULT_SETTLE_MS };

/** Changes whenever the probe judges differently: cached answers of an older probe are not reused. */
export const PROBE_VERSION = 'pxe-request-2';

/**
 * What the probe saw, in ms after the guest started:
 * - 'reset': QMP RESET, the firmware starts over (two of them is a reset loop);
 * - 'stop': QMP STOP, QEMU paused the guest: KVM's internal error (OVMF under the paravirtual KVM
 *   stops this way within 0.3 s, on an x87 instruction KVM cannot emulate);
 * - 'panic': QMP GUEST_PANICKED;
 * - 'exit': QMP SHUTDOWN or the end of QEMU;
 * - 'packet': the first frame on the PXE NIC: the firmware ran POST, its NIC driver and its
 *   network stack. User networking only answers, so the first frame is always the guest's.
 */
export interface ProbeEvent {
  kind: 'reset' | 'stop' | 'panic' | 'exit' | 'packet';
  atMs: number;
}

const QMP_EVENT_KINDS: Record<string, ProbeEvent['kind']> = {
  RESET: 'reset',
  STOP: 'stop',
  GUEST_PANICKED: 'panic',
  SHUTDOWN: 'exit',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The line of QEMU's stderr that says what went wrong, without its warnings about CPU features. */
function qemuComplaint(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.includes('warning:'));
  const line = lines.find((l) => /error/i.test(l)) ?? lines.at(-1);
  return line ? `: ${line}` : '';
}

/**
 * The verdict from what was seen so far, or undefined while it cannot be told yet. Events count in
 * time order, so the first decisive one wins: a second RESET is a loop however early it comes, and
 * a PXE request proves KVM runs the firmware (one RESET before it is a firmware that restarts
 * itself once, not a loop). Without either, KVM is unusable once `settleMs` have passed: on the
 * paravirtual KVM of these hosts SeaBIOS needs 8 s to reach iPXE, which then sends nothing at all
 * (watched for 60 s), with no RESET ever.
 */
export function judgeProbe(events: ProbeEvent[], elapsedMs: number, settleMs: number, stderr = ''): AccelProbe | undefined {
  let resets = 0;
  for (const event of [...events].sort((a, b) => a.atMs - b.atMs)) {
    const at = seconds(event.atMs);
    switch (event.kind) {
      case 'reset':
        resets += 1;
        if (resets >= 2) return { usable: false, detail: `the firmware reset ${resets} times within ${at} under KVM (a reset loop)` };
        break;
      case 'packet':
        return { usable: true, detail: `the firmware sent its first PXE request ${at} after start under KVM${resets ? ' (after one reset)' : ''}` };
      case 'stop':
        return { usable: false, detail: `QEMU stopped the guest ${at} after start under KVM${qemuComplaint(stderr)}` };
      case 'panic':
        return { usable: false, detail: `the guest panicked ${at} after start under KVM` };
      case 'exit':
        return { usable: false, detail: `QEMU with KVM ended ${at} after start${qemuComplaint(stderr)}` };
    }
  }
  if (elapsedMs < settleMs) return undefined;
  const reset = resets ? ', after one reset' : '';
  return { usable: false, detail: `the firmware sent no PXE request within ${seconds(settleMs)} under KVM (it hangs or runs far too slowly${reset})` };
}

/**
 * Connects to QMP, listens for events, then starts the guest: QEMU runs with -S, so no event can
 * fire before we listen. Undefined when QEMU ended or never opened the socket (10 s).
 */
async function openQmpEvents(path: string, gone: () => boolean, onEvent: (name: string) => void): Promise<QmpClient | undefined> {
  const deadline = performance.now() + 10_000;
  let qmp: QmpClient | undefined;
  while (!qmp && !gone() && performance.now() < deadline) {
    qmp = await QmpClient.connect(path).catch(() => undefined);
    if (!qmp) await sleep(20);
  }
  if (!qmp) return undefined;
  qmp.onEvent(onEvent);
  // Not awaited: the clock starts as the vCPUs are told to run, as it always did.
  qmp.execute('cont').catch(() => undefined);
  return qmp;
}

/**
 * The probe's QEMU command line: the machine as the caller boots it (its type and the firmware's
 * arguments, already resolved), a PXE NIC whose frames go to `framesPath`, QMP at `qmpPath`.
 */
export function probeArgs(machine: { machineType: string; args: readonly string[] }, paths: { qmpPath: string; framesPath: string }): string[] {
  // No -no-reboot: a firmware that resets must show as RESET events, not as QEMU ending.
  return ['-nodefaults', '-no-user-config', '-machine', machine.machineType, '-accel', 'kvm', '-m', '128', '-display', 'none',
    '-S', '-qmp', `unix:${paths.qmpPath},server=on,wait=off`,
    '-netdev', 'user,id=n0,restrict=on', '-device', 'virtio-net-pci,netdev=n0', '-boot', 'n',
    '-object', `filter-dump,id=f0,netdev=n0,file=${paths.framesPath}`, ...machine.args];
}

/** A pcap file is its 24-byte header until the first frame. */
const PCAP_HEADER_BYTES = 24;

/** Polls the frame dump and QEMU's state until judgeProbe can tell; returns what it judged on. */
async function awaitVerdict(events: ProbeEvent[], since: () => number, settleMs: number, framesPath: string, exited: () => boolean) {
  for (;;) {
    if (!events.some((e) => e.kind === 'packet')) {
      const size = await stat(framesPath).then((s) => s.size, () => 0);
      if (size > PCAP_HEADER_BYTES) events.push({ kind: 'packet', atMs: since() });
    }
    if (exited() && !events.some((e) => e.kind === 'exit')) events.push({ kind: 'exit', atMs: since() });
    const elapsedMs = since();
    if (judgeProbe(events, elapsedMs, settleMs)) return { seen: [...events], elapsedMs };
    await sleep(25);
  }
}

/** Boots the firmware under KVM in `dir` and judges it; QEMU's whole process group ends in every path. */
async function watchBoot(qemu: string, dir: string, machine: ProbeMachine): Promise<AccelProbe> {
  const qmpPath = join(dir, 'qmp.sock');
  const framesPath = join(dir, 'frames.pcap');
  const { settleMs } = machine;
  const resolved = { machineType: machine.machineType, args: await machine.args(dir) };
  // closeSteps []: a probe's QEMU has nothing to save; stop() kills its group at once.
  const qemuProcess = launchProcess({ command: qemu, args: probeArgs(resolved, { qmpPath, framesPath }), stderr: 'pipe', closeSteps: () => [] });
  if (!qemuProcess) return { usable: false, detail: 'QEMU with KVM did not start' };
  const exited = () => !qemuProcess.running;
  const events: ProbeEvent[] = [];
  let startedAt: number | undefined;
  const since = () => (startedAt === undefined ? 0 : performance.now() - startedAt);
  let qmp: QmpClient | undefined;
  let verdict: { seen: ProbeEvent[]; elapsedMs: number } | undefined;
  try {
    qmp = await openQmpEvents(qmpPath, exited, (name) => {
      const kind = QMP_EVENT_KINDS[name];
      if (kind) events.push({ kind, atMs: since() });
    });
    startedAt = performance.now();
    if (qmp || exited()) verdict = await awaitVerdict(events, since, settleMs, framesPath, exited);
  } finally {
    qmp?.close();
    await qemuProcess.stop();
  }
  // Read after the kill: the stderr of a QEMU that stopped or ended is complete only now.
  const result = await qemuProcess.child;
  if (!verdict) return { usable: false, detail: 'QEMU with KVM never opened its QMP socket (waited 10 s)' };
  return judgeProbe(verdict.seen, verdict.elapsedMs, settleMs, String(result.stderr ?? '')) ?? { usable: false, detail: 'no verdict' };
}

/**
 * Does KVM really run a guest here? /dev/kvm existing is not enough: on these machines it is a
 * paravirtual KVM under which the firmware never reaches the network. The probe boots the
 * caller's firmware with a PXE NIC and watches QMP events and the NIC: it answers at the first
 * PXE request (usable), a second RESET (a reset loop), a STOP or an exit of QEMU, or after
 * the machine's `settleMs` without a request. It needs no firmware-specific output.
 */
export async function probeKvm(machine: ProbeMachine = QEMU_DEFAULT_MACHINE): Promise<AccelProbe> {
  const kvmOk = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  if (!kvmOk) return { usable: false, detail: '/dev/kvm is missing or not accessible' };
  const qemu = await requireTool('qemu-system-x86_64');
  const temp = await tmpDir({ prefix: 'pxe-harness-probe-', unsafeCleanup: true });
  try {
    return await watchBoot(qemu, temp.path, machine);
  } finally {
    await temp.cleanup();
  }
}
