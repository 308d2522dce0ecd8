import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SerialShell } from '../console/serial-shell.js';
import { ConsoleWaitError, waitForConsole, type WaitTarget } from '../console/wait.js';
import { readDiskEvidence } from '../disk/disk-evidence.js';
import { HarnessError, isHarnessError } from '../errors.js';
import type { LiveModuleProfile } from '../live/live-module.js';
import type { Publisher } from '../publish/publisher.js';
import { publisherEntry } from '../publish/registry.js';
import { describeRunningTransfer, describeTransfer } from '../publish/transfer-log.js';
import { SERVICE_ADDRESS } from '../qemu/guest-network.js';
import { MachineBuilder, type StartedMachine } from '../qemu/machine.js';
import { settlesWithin } from '../util/settles-within.js';
import { versionsOf } from '../util/package-version.js';
import { TransferWaitError, Wait } from '../wait/index.js';
import type { BootSession } from './boot-session.js';
import { guestTimeScale } from './environment.js';
import type { BootComponent, BootResult } from '../scenario/result.js';
import type { PreparedNetboot } from '../netboot/netboot-loader.js';
import type { BootContext } from '../scenario/define-scenario.js';
import type { TeardownStack } from './teardown.js';
import { isHostFault, loaderLostBootFile, reasonOf, verdictOf } from './verdict-rules.js';
import { deliveryNote } from './delivery-proof.js';
import { loaderFilesFor, withholdForFault } from './netboot-faults.js';
import { evidenceLost, judgeOutsideCause, outsideCause } from './outside-causes.js';

/** The stages of one boot, in the order run-boot.ts calls them; each reads and writes the session. */

/** A transfer that sends no byte for this long is a stall. */
const STALL_MS = 30_000;
/** How long a guest may take to power off cleanly (so its writes reach the disk). */
const POWEROFF_TIMEOUT_MS = 120_000;
/** How long a failed transfer's verdict waits for the guest to show its consequence. */
const CONSEQUENCE_MS = 20_000;

/** Lays out what the guest boots (netboot loader or disk), starts QEMU, and registers its teardown. */
export async function startMachine(session: BootSession, teardown: TeardownStack): Promise<StartedMachine> {
  const { run, plan } = session;
  await mkdir(run.runtimeDir, { recursive: true });
  await mkdir(run.artifactsDir, { recursive: true });
  const builder = new MachineBuilder({ artifactsDir: run.artifactsDir, runtimeDir: run.runtimeDir })
    .withArchitecture(run.env.arch)
    .withName(`pxe-harness-${run.scenario.name}`)
    .withMemoryMb(run.env.machine.memoryMb)
    .withCpus(run.env.machine.cpus)
    .withAccel(run.env.machine.accel, run.env.machine.tcgThread)
    .withFirmware({ machineType: plan.firmware.machineType, bootSelection: plan.firmware.bootSelection, args: await plan.firmware.machineArgs(run.runtimeDir) });
  for (const disk of run.disks) builder.withDisk({ path: disk.path, format: disk.format, interface: disk.interface, ...(disk.serial ? { serial: disk.serial } : {}) });
  if (plan.loader) {
    const netboot = await plan.loader.prepare({
      runtimeDir: run.runtimeDir,
      artifactsDir: run.artifactsDir,
      loaderFiles: await loaderFilesFor(run.env.loader, run.boot.netbootFault, run.runtimeDir),
      arch: run.env.arch,
      iso: { path: run.env.iso.path, boot: run.env.iso.boot },
      kernelArgs: plan.kernelArgs,
      onTeardown: (name, undo) => teardown.add(name, undo),
    });
    if (netboot.bootFiles) session.bootFiles = netboot.bootFiles;
    if (netboot.usedFiles) session.usedFiles = netboot.usedFiles;
    session.netboot = { loaderId: plan.loader.id, bootFilePaths: netboot.bootFilePaths, entryFile: netboot.entry.artifactName };
    await withholdForFault(netboot, run.boot.netbootFault);
    await copyFile(netboot.entry.path, join(run.artifactsDir, netboot.entry.artifactName));
    const forwards = run.publisher.forwards.map((f) => ({ guestAddress: SERVICE_ADDRESS, ...f }));
    builder.withNetworkBoot(netboot.tftpRoot, netboot.bootfile, [...forwards, ...netboot.forwards], netboot.machine ?? {});
    joinSegment(builder, run.publisher, teardown);
  } else {
    builder.withDiskBoot();
  }
  const { credentials, iso } = run.env;
  const reproduce = {
    iso: iso.path, scenario: run.scenario.name, boot: run.index, login: `${credentials.user}:${credentials.password}`, firmware: plan.firmware.id, netboot: run.env.netboot,
    ...(run.scenario.sourceFile ? { scenarioFile: run.scenario.sourceFile } : {}),
    ...(run.scenario.publish.trustedCertificate && run.env.tlsAuthority ? { tlsCa: `${run.env.tlsAuthority.certPath},${run.env.tlsAuthority.keyPath}` } : {}),
  };
  await writeFile(join(run.artifactsDir, 'reproduce.json'), JSON.stringify(reproduce, null, 2));
  session.components = await componentsOf(plan, session.usedFiles);
  const machine = await builder.start();
  session.machine = machine;
  teardown.add('stop QEMU', () => machine.stop());
  // run --keep: a failed machine that still runs is handed to the user before it is stopped.
  teardown.add('attach the console of a failed boot', async () => {
    if (run.env.attach?.when === 'failed' && session.lastVerdict !== 'PASS' && machine.running) await run.env.attach.terminal(machine);
  });
  return machine;
}

/** The firmware and the loader of the boot, with the versions of the packages their files came from. */
async function componentsOf(plan: BootSession['plan'], usedFiles: PreparedNetboot['usedFiles'] = []): Promise<BootComponent[]> {
  const firmware = { part: 'firmware' as const, id: plan.firmware.id, packages: await versionsOf(plan.firmware.hostFiles) };
  if (!plan.loader) return [firmware];
  return [firmware, { part: 'loader' as const, id: plan.loader.id, packages: [...usedFiles, ...(await versionsOf(plan.loader.hostFiles))] }];
}

let taps = 0;

/** A layer-2 publisher (AoE): the machine's second NIC joins its segment; the export stops with the boot. */
function joinSegment(builder: MachineBuilder, publisher: Publisher, teardown: TeardownStack): void {
  const { segment } = publisher;
  if (!segment) return;
  // 15 characters at most (IFNAMSIZ); unique per harness process and boot.
  const name = `pxa${process.pid % 100_000}-${++taps % 1000}`;
  builder.withTapNic(name, async (tap) => {
    const undo = await segment.join(tap);
    teardown.add(`stop serving ${segment.netns} on ${tap}`, undo);
  });
}

/**
 * Phases, warnings and progress from every console line, until the boot ends. The boot's waits
 * end when QEMU does, or when a file of the boot's evidence could not be written (a full disk).
 */
export function watchConsole(session: BootSession, machine: StartedMachine, teardown: TeardownStack): WaitTarget {
  const { scenario, boot, env, publisher } = session.run;
  const onLine = (line: { text: string; tMs: number }) => {
    if (session.observeLine(line.text, line.tMs)) env.observer?.onPhase?.(scenario, boot, session.tracker.current);
  };
  machine.console.on('line', onLine);
  teardown.add('stop watching the console', () => machine.console.off('line', onLine));
  const ended = Promise.race([machine.ended, evidenceLost(machine, publisher, session.bootFiles, teardown)]);
  return { console: machine.console, ended, phase: () => session.tracker.current };
}

/**
 * The goal, a login prompt, raced against every way the boot can fail on the console (fail
 * signatures, QEMU's exit, silence, the deadline) and in the publisher's log (a failed or stalled
 * transfer: the log is the only witness of the fetch, curl's errors stay inside the initrd).
 * Resolves undefined at the prompt, or with the transfer failure; console failures reject.
 */
export async function awaitGoal(session: BootSession, target: WaitTarget): Promise<TransferWaitError | undefined> {
  const { boot, env, publisher } = session.run;
  const slow = guestTimeScale(env);
  const login = Wait.forLoginPrompt()
    .withTimeout(Math.round((boot.timeoutMs ?? env.bootTimeoutMs) * slow))
    .withSilenceLimit(Math.round((env.silenceMs ?? 120_000) * slow))
    .withFailSignatures(session.plan.console.failSignatures);
  const goal = Wait.anyOf(login, Wait.forFailedTransfer(), Wait.forStalledTransfer(STALL_MS));
  try {
    const prompt = await goal.waitUntilReady({ ...target, transfers: publisher.transfers }, env.signal);
    session.decidedAtMs = target.console.startedAtMs + prompt.tMs;
    // The prompt is an unterminated line: the tracker, fed whole lines, has not seen it yet.
    session.tracker.observe(prompt.text, prompt.tMs);
    return undefined;
  } catch (error) {
    if (!(error instanceof TransferWaitError)) throw error;
    session.decidedAtMs = error.atMs;
    return error;
  }
}

/**
 * A failed transfer decides the boot; the guest gets a moment to show what the missing ISO does
 * to it (evidence, not verdict), and when it does, that line is the deciding one.
 */
export async function judgeFailedTransfer(session: BootSession, target: WaitTarget, failure: TransferWaitError): Promise<BootResult> {
  const phaseAtFailure = session.tracker.current;
  const options = { timeoutMs: CONSEQUENCE_MS, partialLine: false, failOn: session.plan.console.failSignatures };
  const consequence = await waitForConsole(target, /(?!)/, options).catch((e: unknown) => {
    if (!(e instanceof ConsoleWaitError) || e.failure === 'timeout') return '';
    session.decidedAtMs = e.atMs;
    return `; then ${e.message}`;
  });
  await screenshot(session.machine, session.run.artifactsDir, 'screen-failure.png');
  // A transfer cut because QEMU was killed, or whose log line could not be written, is no FAIL.
  const cause = outsideCause(session);
  if (cause) return judgeOutsideCause(session, `${cause}; the transfer: ${failure.message}`);
  return { ...session.finish('FAIL', `${failure.message}${insecureTlsHint(session.plan.liveModule, failure)}${consequence}`), phase: phaseAtFailure };
}

/**
 * After a refused TLS handshake (the publisher's outcome untrusted: no request was made), the
 * live module's option that makes its fetch skip verifying the certificate.
 */
export function insecureTlsHint(live: Pick<LiveModuleProfile, 'id' | 'insecureTlsOption'>, failure: Pick<TransferWaitError, 'transfer'>): string {
  return 'outcome' in failure.transfer && failure.transfer.outcome === 'untrusted' ? ` (${live.id}: ${live.insecureTlsOption})` : '';
}

/** What a check may know of the scenario's publisher: its protocol and its entry's guest probe. */
function publisherFacts(protocol: string): BootContext['publisher'] {
  const { guestProbe } = publisherEntry(protocol);
  return { protocol, ...(guestProbe ? { guestProbe } : {}) };
}

/** What the checks see: transfers, console, a root shell logged in on first use, disks, state. */
export function checkContext(session: BootSession, target: WaitTarget): BootContext {
  const { run, plan } = session;
  const machine = session.machine!;
  let shell: Promise<SerialShell> | undefined;
  return {
    iso: run.iso,
    isoUrl: run.isoUrl,
    publisher: publisherFacts(run.publisher.protocol),
    live: plan.liveModule,
    liveOptions: run.boot.live ?? {},
    liveFacts: run.env.iso.live,
    get transfers() {
      return session.transfers();
    },
    get bootFileTransfers() {
      return session.bootFiles?.transfers ?? [];
    },
    ...(session.netboot ? { netboot: { loaderId: session.netboot.loaderId, bootFilePaths: session.netboot.bootFilePaths } } : {}),
    consoleLines: machine.console.lines,
    timeline: session.tracker.reachedAtMs,
    // A login that failed is tried again by the next check that asks for the shell.
    shell: () =>
      run.scenario.needsLogin === false
        ? Promise.reject(new HarnessError('boot', `scenario ${run.scenario.name} declares that it needs no login (needsLogin: false), so its checks cannot use the shell`, { phase: 'login' }))
        : (shell ??= SerialShell.login(target, (t) => machine.write(t), { credentials: run.env.credentials }).catch((error: unknown) => {
        shell = undefined;
        throw error;
      })),
    disks: run.disks,
    diskEvidence: session.diskEvidence,
    state: run.state,
  };
}

/** Runs the boot's checks of one kind; a check that breaks the boot itself ends the boot. */
export async function runChecks(session: BootSession, context: BootContext, afterShutdown: boolean): Promise<void> {
  for (const check of session.plan.checks.filter((c) => Boolean(c.afterShutdown) === afterShutdown)) {
    try {
      session.checks.push({ name: check.name, ...(await check.run(context)) });
    } catch (error) {
      session.checks.push({ name: check.name, ok: false, detail: reasonOf(error) });
      if (!isHarnessError(error) || error.kind !== 'boot') throw error;
    }
  }
}

/** A clean power-off, so that what the guest wrote is on the disk for the next boot; then the disk evidence. */
export async function powerOffAndReadDisks(session: BootSession, context: BootContext): Promise<void> {
  const machine = session.machine!;
  if (session.run.scenario.needsLogin === false) await machine.powerdown();
  else (await context.shell()).poweroff();
  const poweroffMs = POWEROFF_TIMEOUT_MS * guestTimeScale(session.run.env);
  if (!(await settlesWithin(machine.exited, poweroffMs))) {
    session.checks.push({ name: 'the guest powers off cleanly', ok: false, detail: `QEMU still ran ${poweroffMs / 1000} s after systemctl poweroff` });
  }
  await machine.stop();
  for (const disk of session.run.disks) session.diskEvidence.push(await readDiskEvidence(disk));
  await writeFile(join(session.run.artifactsDir, 'disk-evidence.json'), JSON.stringify(session.diskEvidence, null, 2));
}

/** PASS when every check held, else FAIL naming each that did not; ERROR when broken off from outside. */
export function judgeChecks(session: BootSession): BootResult {
  const cause = outsideCause(session);
  if (cause) return judgeOutsideCause(session, cause);
  const failed = session.checks.filter((c) => !c.ok);
  const witness = session.plan.delivery;
  const login = session.tracker.reachedAtMs.login;
  const result = failed.length
    ? session.finish('FAIL', failed.map((c) => `${c.name}: NO (${c.detail})`).join('; '))
    : session.finish('PASS', `login prompt after ${login === undefined ? '?' : `${(login / 1000).toFixed(1)} s`}; ${session.checks.length} check(s) held${deliveryNote(witness)}`);
  return witness ? { ...result, delivery: witness } : result;
}

/** A boot that broke off: the error's verdict and reason, with the transfers as evidence. */
export async function judgeError(session: BootSession, error: unknown): Promise<BootResult> {
  session.decidedAtMs = error instanceof ConsoleWaitError ? error.atMs : Date.now();
  await screenshot(session.machine, session.run.artifactsDir, 'screen-failure.png');
  const cause = outsideCause(session, error);
  if (cause) return judgeOutsideCause(session, cause);
  const transfers = session.transfers();
  // A transfer still running when the boot broke off is evidence too (the guest gave up on it, or
  // went on without it): never "no transfer" while one runs.
  const running = [...session.run.publisher.transfers.running].map(describeRunningTransfer);
  const described = [...transfers.map(describeTransfer), ...running];
  const evidence = described.length ? ` [transfers: ${described.join('; ')}]` : ' [no transfer was made]';
  const isBoot = isHarnessError(error) && error.kind === 'boot';
  const lost = lostBootFiles(session);
  const reason = reasonOf(error) + (isBoot ? evidence : '') + (lost.length ? ` [boot files: ${lost.join('; ')}]` : '');
  const verdict = verdictOf(error, session.plan.blame);
  if (loaderLostBootFile(verdict, session.tracker.current, session.plan.blame, lost)) {
    return session.finish('ERROR', `the netboot loader gave up on a boot file the harness was serving whole (the transport broke, not the ISO): ${reason}`);
  }
  const result = session.finish(verdict, reason);
  return isHostFault(error, session.plan.blame) ? { ...result, hostFault: true } : result;
}

/** Boot files of the harness's own server that did not reach the loader whole: cut short once begun, or still being written. */
function lostBootFiles(session: BootSession): string[] {
  const log = session.bootFiles;
  if (!log) return [];
  const cut = log.transfers.filter((t) => t.outcome === 'partial').map(describeTransfer);
  return [...cut, ...[...log.running].map(describeRunningTransfer)];
}

export async function screenshot(machine: StartedMachine | undefined, dir: string, name: string): Promise<void> {
  if (!machine?.running) return;
  await machine.screendump(join(dir, name)).catch(() => undefined);
}
