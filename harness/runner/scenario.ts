import type { SerialShell } from '../console/serial-shell.js';
import type { PublishProtocol, Transfer } from '../publish/transfer-log.js';
import type { PublishFault } from '../publish/faults.js';
import type { ConsoleLine } from '../console/console-log.js';
import type { DiskEvidence } from '../disk/disk-evidence.js';
import type { DiskImage, DiskSpec } from '../disk/disk-image.js';
import type { FirmwareId } from '../firmware/firmware.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';
import type { IsoInfo } from '../iso/iso-image.js';
import type { LiveBootOptions, LiveModuleProfile } from '../live/live-module.js';
import type { LoaderTransport } from '../netboot/netboot-loader.js';
import type { CheckOutcome } from './result.js';

/** What a scenario declares; the runner does all process handling. */
export interface ScenarioDefinition {
  name: string;
  /** One sentence: what the scenario proves. */
  summary: string;
  publish: {
    protocol: PublishProtocol;
    /**
     * The path the boot entry asks for, when it is not the published ISO's own path: a broken
     * setup (a URL the publisher does not serve) is declared this way.
     */
    requestPath?: string;
    /** A fault the publisher injects into what it serves (see publish/faults.ts). */
    fault?: PublishFault;
  };
  /** Pins the scenario to one firmware, whatever the run's --firmware says. */
  firmware?: FirmwareId;
  /**
   * Whether the scenario applies to this ISO on this firmware: undefined when it does, else the
   * reason it does not (the scenario is then SKIPPED with it, nothing boots).
   */
  appliesTo?(target: ScenarioTarget): string | undefined;
  /** Disks made fresh for each run of the scenario and attached, in order, to every boot. */
  disks?: DiskSpec[];
  boots: BootDefinition[];
}

/** What a scenario can know of its target before anything boots. */
export interface ScenarioTarget {
  iso: IsoInfo & { boot: IsoBootFacts };
  firmware: FirmwareId;
  liveModule: LiveModuleProfile;
}

export interface BootDefinition {
  name: string;
  /** network: PXE boot with the seed's entry; disk: the attached disk alone, no network device. */
  from: 'network' | 'disk';
  /**
   * What the live module is asked to do (deploy to a disk, persistence, reset, ...); the ISO's
   * live module spells it as its own kernel options after `ip=dhcp root=live:URL console=ttyS0`.
   */
  live?: LiveBootOptions;
  /** Kernel options of the boot entry after the live module's own, verbatim. */
  kernelArgs?: string[];
  /**
   * How the netboot loader loads kernel and initrd: 'tftp' (the seed's setup, default) or 'http'
   * (from an HTTP server of the harness; its transfers are logged as boot files).
   */
  loader?: LoaderTransport;
  /** A broken netboot setup: this file is missing from the TFTP root (to prove a loader failure is named). */
  netbootFault?: { missing: 'boot-program' | 'kernel' | 'initrd' };
  /** Longest time from QEMU's start to the login prompt. */
  timeoutMs?: number;
  /**
   * What must hold once the login prompt is there; all are run and reported. Checks marked
   * `afterShutdown` run once the guest has powered off, on the disk evidence read on the host.
   */
  checks: Check[];
  /**
   * A negative boot: it passes when it fails with a reason matching this (e.g. a ramdisk too
   * small for the ISO must end in an incomplete transfer), and fails when it boots.
   */
  expectFailure?: { reason: RegExp; why: string; /** the boot phase (or one of the phases) the failure must come in */ phase?: string | readonly string[] };
}

/** What a check can look at: the boot's transfers, its console, and a root shell in the guest. */
export interface BootContext {
  /** The ISO: its file on the host, its path on the publisher, its size and volume id. */
  iso: { hostPath: string; urlPath: string; sizeBytes: number; volumeId: string };
  /** The URL the boot entry fetches the ISO from, as the guest sees it. */
  isoUrl: string;
  /** The live module that boots the ISO: where it keeps the live image and the writable layer. */
  live: LiveModuleProfile;
  /** Transfers that ended during this boot. */
  transfers: Transfer[];
  /** Kernel and initrd fetched by lpxelinux over HTTP during this boot (loader 'http'). */
  bootFileTransfers: Transfer[];
  consoleLines: readonly ConsoleLine[];
  /** A root shell on the serial console, logged in on first use. */
  shell(): Promise<SerialShell>;
  /** The scenario's disks (the same files across its boots). */
  disks: DiskImage[];
  /** Disk evidence read on the host after the guest powered off (afterShutdown checks only). */
  diskEvidence: DiskEvidence[];
  /** Values that travel from one boot of the scenario to the next (markers). */
  state: Map<string, string>;
}

export interface Check {
  name: string;
  /** Run after the guest has powered off, on what the host reads from the disks. */
  afterShutdown?: boolean;
  run(context: BootContext): Promise<Omit<CheckOutcome, 'name'>>;
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.name)) {
    throw new RangeError(`scenario name must be lower-case words joined by '-', got ${JSON.stringify(definition.name)}`);
  }
  if (definition.boots.length === 0) throw new RangeError(`scenario ${definition.name} declares no boot`);
  return definition;
}
