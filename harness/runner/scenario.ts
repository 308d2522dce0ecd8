import type { SerialShell } from '../console/serial-shell.js';
import type { PublishProtocol, Transfer } from '../publish/transfer-log.js';
import type { ConsoleLine } from '../console/console-log.js';
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
  };
  boots: BootDefinition[];
}

export interface BootDefinition {
  name: string;
  /** network: PXE boot with the seed's entry; disk: the attached disk alone, no network device. */
  from: 'network' | 'disk';
  /** Kernel options after `ip=dhcp root=live:URL console=ttyS0`. */
  kernelArgs?: string[];
  /** Longest time from QEMU's start to the login prompt. */
  timeoutMs?: number;
  /** What must hold once the login prompt is there; all are run and reported. */
  checks: Check[];
}

/** What a check can look at: the boot's transfers, its console, and a root shell in the guest. */
export interface BootContext {
  /** The ISO's path on the publisher and its size. */
  iso: { urlPath: string; sizeBytes: number; volumeId: string };
  /** Transfers that ended during this boot. */
  transfers: Transfer[];
  consoleLines: readonly ConsoleLine[];
  /** A root shell on the serial console, logged in on first use. */
  shell(): Promise<SerialShell>;
}

export interface Check {
  name: string;
  run(context: BootContext): Promise<Omit<CheckOutcome, 'name'>>;
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.name)) {
    throw new RangeError(`scenario name must be lower-case words joined by '-', got ${JSON.stringify(definition.name)}`);
  }
  if (definition.boots.length === 0) throw new RangeError(`scenario ${definition.name} declares no boot`);
  return definition;
}
