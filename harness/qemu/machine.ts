import { access, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import pRetry, { AbortError } from 'p-retry';
import { ConsoleLog } from '../console/console-log.js';
import { HarnessError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';
import { LogFile } from '../util/log-file.js';
import type { FileWriteError } from '../util/write-error.js';
import { launchProcess, terminateGroup, type CloseStep, type LaunchedProcess } from '../process/launch-process.js';
import { buildQemuArgs, shellQuote, type DiskAttachment, type GuestForward, type MachineConfig } from './qemu-args.js';
import { GuestRelays } from './guest-relays.js';
import { QmpClient } from './qmp-client.js';

export interface ExitInfo {
  code: number | undefined;
  signal: string | undefined;
  /** The last lines QEMU wrote to stderr. */
  stderrTail: string;
}

/**
 * Builds a QEMU machine (testcontainers style): `new MachineBuilder(dir).withNetworkBoot(...)
 * .withDisk(...).start()` returns a StartedMachine that is AsyncDisposable.
 */
export class MachineBuilder {
  private config: Omit<MachineConfig, 'serialSocket' | 'qmpSocket'> = {
    name: 'pxe-harness',
    memoryMb: 3072,
    cpus: 2,
    accel: 'tcg',
    tcgThread: 'multi',
    machineType: 'pc',
    display: ['-vga', 'std'],
    firmwareArgs: [],
    bootPathArgs: [],
    bootSelection: 'boot-order',
    bootFrom: 'network',
    disks: [],
    noReboot: true,
  };

  /**
   * @param dirs artifactsDir: where the logs and the command line of this boot go; runtimeDir:
   *   where the sockets go (a short path: unix socket paths are limited to 107 bytes).
   */
  constructor(private readonly dirs: { artifactsDir: string; runtimeDir: string }) {}

  /** The guest's architecture: which QEMU system emulator runs it (looked up on PATH at start()) and its CPU. */
  withArchitecture(architecture: { qemuBinary: string; qemuCpu?: string; qemuDisplay: readonly string[]; ideDisks: 'ide' | 'ahci' }): this {
    this.qemuBinary = architecture.qemuBinary;
    this.config.display = architecture.qemuDisplay;
    this.config.ideDisks = architecture.ideDisks;
    if (architecture.qemuCpu) this.config.cpu = architecture.qemuCpu;
    else delete this.config.cpu;
    return this;
  }
  private qemuBinary?: string;
  withName(name: string): this {
    this.config.name = name;
    return this;
  }
  withMemoryMb(memoryMb: number): this {
    if (!Number.isInteger(memoryMb) || memoryMb < 256) throw new RangeError(`memoryMb must be an integer >= 256, got ${memoryMb}`);
    this.config.memoryMb = memoryMb;
    return this;
  }
  withCpus(cpus: number): this {
    if (!Number.isInteger(cpus) || cpus < 1) throw new RangeError(`cpus must be a positive integer, got ${cpus}`);
    this.config.cpus = cpus;
    return this;
  }
  withAccel(accel: 'tcg' | 'kvm', tcgThread: MachineConfig['tcgThread'] = 'multi'): this {
    this.config.accel = accel;
    this.config.tcgThread = tcgThread;
    return this;
  }
  /** The firmware's machine type, its own arguments (pflash, ...) and how it selects the boot device. */
  withFirmware(firmware: { machineType: MachineConfig['machineType']; bootSelection: MachineConfig['bootSelection']; args: string[] }): this {
    this.config.machineType = firmware.machineType;
    this.config.bootSelection = firmware.bootSelection;
    this.config.firmwareArgs = [...firmware.args];
    return this;
  }
  withNetworkBoot(tftpRoot: string, bootfile: string, forwards: GuestForward[], options: { nicOptionRom?: false; args?: readonly string[] } = {}): this {
    this.config.bootFrom = 'network';
    this.config.network = { tftpRoot, bootfile, forwards, ...(this.tap ? { tap: this.tap.name } : {}), ...(options.nicOptionRom === false ? { nicOptionRom: false as const } : {}) };
    this.config.bootPathArgs = [...(options.args ?? [])];
    return this;
  }
  /**
   * A second NIC on a tap device; once QEMU has created it (after the console is attached, with
   * QEMU's other late devices), `opened` gets it, e.g. to move it into a network namespace.
   */
  withTapNic(name: string, opened: (tap: string) => Promise<void>): this {
    if (!/^[a-z0-9-]{1,15}$/.test(name)) throw new RangeError(`a tap name is 1-15 of a-z, 0-9 and -, got ${JSON.stringify(name)}`);
    this.tap = { name, opened };
    if (this.config.network) this.config.network.tap = name;
    return this;
  }
  private tap?: { name: string; opened: (tap: string) => Promise<void> };
  /** Boot from the first disk with no network device at all (a standalone boot). */
  withDiskBoot(): this {
    this.config.bootFrom = 'disk';
    delete this.config.network;
    return this;
  }
  withDisk(disk: DiskAttachment): this {
    this.config.disks.push(disk);
    return this;
  }
  get args(): string[] {
    return buildQemuArgs(this.fullConfig());
  }

  private fullConfig(): MachineConfig {
    const { runtimeDir } = this.dirs;
    return { ...this.config, serialSocket: join(runtimeDir, 'serial.sock'), qmpSocket: join(runtimeDir, 'qmp.sock'), relayPidDir: join(runtimeDir, 'relays') };
  }

  async start(): Promise<StartedMachine> {
    // No default: the architecture is the caller's choice, never this building block's.
    if (!this.qemuBinary) throw new RangeError('MachineBuilder: no QEMU binary; call withArchitecture({ qemuBinary }) before start()');
    const qemu = await requireTool(this.qemuBinary);
    if (this.config.network?.forwards.length) await requireTool('socat');
    const config = this.fullConfig();
    const args = buildQemuArgs(config);
    const commandLine = shellQuote([qemu, ...args]);
    await writeFile(join(this.dirs.artifactsDir, 'qemu-command.sh'), `#!/bin/sh\n# The QEMU command of this boot.\n${commandLine}\n`, { mode: 0o755 });

    const relays = new GuestRelays(config.relayPidDir!);
    await relays.prepare();
    const console = new ConsoleLog({ rawPath: join(this.dirs.artifactsDir, 'serial.raw.log'), cleanPath: join(this.dirs.artifactsDir, 'serial.log') });
    const stderrPath = join(this.dirs.artifactsDir, 'qemu.stderr.log');
    const stderrFile = new LogFile(stderrPath);
    let stderrTail = '';
    // QEMU leads its own process group, so stop() can signal all of it at once; stop() asks
    // QMP to quit first, then SIGTERM, each with 3 s to work (see StartedMachine.stop).
    const qemuProcess = launchProcess({ command: qemu, args, stderr: 'pipe', closeSteps: (launched) => [machine.quitStep(), terminateGroup(launched)] });
    if (!qemuProcess) await relays.stop();
    if (!qemuProcess) throw new HarnessError('host', `QEMU did not start: ${commandLine}`, { fix: 'run pxe-harness doctor' });
    qemuProcess.child.stderr?.on('data', (chunk: Buffer) => {
      stderrFile.write(chunk);
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    const exited: Promise<ExitInfo> = qemuProcess.exited.then((r) => {
      stderrFile.end();
      return { code: r.code, signal: r.signal, stderrTail: stderrTail.trim() };
    });

    const machine: StartedMachine = new StartedMachine(qemuProcess, relays, config, { console, stderr: stderrFile }, exited, commandLine);
    try {
      await machine.attach();
      if (this.tap) await handOverTap(this.tap, machine);
    } catch (error) {
      await machine.stop();
      throw error;
    }
    return machine;
  }
}

/** Waits for QEMU to create the tap (polling its sysfs entry), then hands it over. */
async function handOverTap(tap: { name: string; opened: (tap: string) => Promise<void> }, machine: StartedMachine): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await access(`/sys/class/net/${tap.name}`).then(() => true, () => false))) {
    if (!machine.running) throw new HarnessError('host', `QEMU exited before it created the tap ${tap.name}`, { fix: `read ${machine.stderrPath}` });
    if (Date.now() > deadline) throw new HarnessError('host', `QEMU did not create the tap ${tap.name} within 10 s`, { fix: `read ${machine.stderrPath}; tap devices need root (CAP_NET_ADMIN)` });
    await new Promise((r) => setTimeout(r, 20));
  }
  await tap.opened(tap.name);
}

export class StartedMachine implements AsyncDisposable {
  readonly startedAtMs = Date.now();
  /** Settles with a sentence once QEMU has exited (for waits to race against). */
  readonly ended: Promise<string>;
  readonly console: ConsoleLog;
  readonly stderrPath: string;
  /** Settles with the first failed write of the console's files or QEMU's stderr file (a full disk). */
  readonly writeFailed: Promise<FileWriteError>;
  private readonly stderr: LogFile;
  private serial?: Socket;
  private qmp?: QmpClient;
  private stopping?: Promise<ExitInfo>;
  private exit?: { info: ExitInfo; stopped: boolean };

  constructor(
    private readonly qemu: LaunchedProcess,
    private readonly relays: GuestRelays,
    readonly config: MachineConfig,
    files: { console: ConsoleLog; stderr: LogFile },
    readonly exited: Promise<ExitInfo>,
    readonly commandLine: string,
  ) {
    this.console = files.console;
    this.stderr = files.stderr;
    this.stderrPath = files.stderr.filePath;
    this.writeFailed = Promise.race([files.console.writeFailed, files.stderr.failed]);
    // Whether the harness had asked QEMU to end (stop()) is read as it ends: a stop() after an
    // unexpected end does not make that end the harness's.
    exited.then((info) => (this.exit = { info, stopped: this.stopping !== undefined }));
    this.ended = exited.then((info) => describeExit(info));
  }

  /** The evidence files of this machine (console, stderr) that could not be written whole. */
  get writeErrors(): FileWriteError[] {
    return [...this.console.writeErrors, ...(this.stderr.failure ? [this.stderr.failure] : [])];
  }

  /**
   * How QEMU ended, in a sentence, when neither the harness (stop()) nor the guest ended it:
   * killed by a signal, or failed (see unexpectedEnd). Undefined while it runs and for those ends.
   */
  get endedUnexpectedly(): ReturnType<typeof unexpectedEnd> {
    return this.exit && !this.exit.stopped ? unexpectedEnd(this.exit.info) : undefined;
  }

  get pid(): number {
    return this.qemu.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Connects the serial console (QEMU waits for it before starting the guest) and QMP. */
  async attach(): Promise<void> {
    const exitedFirst = this.exited.then((info) => {
      throw new HarnessError('host', `QEMU exited before its console could be attached: ${describeExit(info)}`, {
        fix: `read ${this.stderrPath}; run the command in qemu-command.sh by hand`,
      });
    });
    exitedFirst.catch(() => undefined);
    const connectSerial = pRetry(
      async () => {
        if (!this.running) throw new AbortError('QEMU exited');
        await access(this.config.serialSocket);
        return connectUnix(this.config.serialSocket);
      },
      { retries: 100, minTimeout: 50, maxTimeout: 100, factor: 1 },
    );
    this.serial = await Promise.race([connectSerial, exitedFirst]);
    this.serial.on('data', (chunk: Buffer) => this.console.push(chunk));
    this.serial.on('error', () => undefined);
    this.qmp = await Promise.race([
      pRetry(() => QmpClient.connect(this.config.qmpSocket), { retries: 50, minTimeout: 50, maxTimeout: 100, factor: 1 }),
      exitedFirst,
    ]);
  }

  /** The serial console's byte stream, for attaching a terminal. */
  get serialStream(): Socket | undefined {
    return this.serial;
  }

  /** Types on the serial console. */
  write(text: string): void {
    this.serial?.write(text);
  }

  /** Presses the machine's power button (ACPI): a clean power-off without a login. */
  async powerdown(): Promise<void> {
    if (!this.qmp || !this.running) throw new Error('QEMU is not running');
    await this.qmp.execute('system_powerdown');
  }

  /** A PNG of the VGA screen (firmware and boot loader messages show there, not on serial). */
  async screendump(path: string): Promise<void> {
    if (!this.qmp || !this.running) throw new Error('QEMU is not running');
    await this.qmp.execute('screendump', { filename: path, format: 'png' });
  }

  /** The polite first way of ending QEMU: QMP quit (2 s for its answer), then 3 s to exit. */
  quitStep(): CloseStep {
    return { attempt: () => this.qmp?.execute('quit', undefined, 2_000), settleMs: 3_000 };
  }

  /**
   * Stops QEMU for sure: QMP quit, then SIGTERM to its process group, then SIGKILL (the
   * launcher's close steps); then its helpers in reverse order of start: the guest-forward
   * relays, which libslirp starts in sessions of their own. Idempotent.
   */
  stop(): Promise<ExitInfo> {
    return (this.stopping ??= (async () => {
      await this.qemu.stop();
      const info = await this.exited;
      this.qmp?.close();
      this.serial?.destroy();
      await this.console.close();
      await this.relays.stop();
      return info;
    })());
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** QEMU's last words on stderr, for a sentence about its end. */
const stderrOf = (info: ExitInfo) => (info.stderrTail ? ` (stderr: ${info.stderrTail.split('\n').slice(-3).join(' | ')})` : '');

export function describeExit(info: ExitInfo): string {
  const how = info.signal ? `was killed by ${info.signal}` : `exited with code ${info.code}`;
  return `QEMU ${how}${stderrOf(info)}`;
}

/**
 * The signal QEMU ended on: the one that killed it, or one it caught and ended on by itself (on
 * SIGTERM, SIGINT and SIGHUP it exits with code 0, saying "terminating on signal 15 from pid N").
 */
export function endingSignal(info: ExitInfo): string | undefined {
  if (info.signal) return info.signal;
  const caught = /terminating on signal (\d+)/.exec(info.stderrTail)?.[1];
  if (caught === undefined) return undefined;
  const name = Object.entries(constants.signals).find(([, number]) => number === Number(caught))?.[0];
  return name ?? `signal ${caught}`;
}

/**
 * An end of QEMU that the guest cannot have caused: a signal (someone killed it, the OOM killer,
 * a crash of QEMU itself) or an error exit of its own, with QEMU's last words on stderr apart (for
 * the end of a sentence). A guest that powers off, or reboots under -no-reboot, ends QEMU with
 * code 0: undefined then.
 */
export function unexpectedEnd(info: ExitInfo): { how: string; stderr: string } | undefined {
  const signal = endingSignal(info);
  if (signal) return { how: `QEMU was killed by ${signal}`, stderr: stderrOf(info) };
  if (info.code !== undefined && info.code !== 0) return { how: `QEMU failed: it exited with code ${info.code}`, stderr: stderrOf(info) };
  return undefined;
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => resolve(socket));
    socket.once('error', reject);
  });
}

export type { DiskAttachment, GuestForward };
