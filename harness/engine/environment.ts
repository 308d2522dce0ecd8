import type { TlsAuthority } from '../publish/publisher.js';
import type { Architecture } from '../arch/architecture.js';
import type { Credentials } from '../console/serial-shell.js';
import type { Firmware } from '../firmware/firmware.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';
import type { IsoInfo } from '../iso/iso-image.js';
import type { LoaderFiles } from '../iso/loader-files.js';
import type { LiveImageFacts, LiveModuleProfile } from '../live/live-module.js';
import type { StartedMachine } from '../qemu/machine.js';
import type { KnownIssue } from './known-issues.js';
import type { RunObserver } from './run-observer.js';

/** Everything a run shares between its scenarios and boots. */
export interface RunEnvironment {
  iso: IsoInfo & { boot: IsoBootFacts; live: LiveImageFacts };
  /** Kernel and initrd taken out of the ISO once per run. */
  loader: LoaderFiles;
  /** The guest's architecture: its QEMU and where its kernel and initrd are in the ISO. */
  arch: Architecture;
  /** The firmware every boot of the run starts with. */
  firmware: Firmware;
  /** The netboot path of every network boot (a key of NETBOOT_FAMILIES). */
  netboot: string;
  /** The dracut module that boots the ISO's live system. */
  liveModule: LiveModuleProfile;
  /** The run's output folder; each scenario gets a folder below it. */
  outDir: string;
  credentials: Credentials;
  machine: { memoryMb: number; cpus: number; accel: 'tcg' | 'kvm'; tcgThread: 'multi' | 'single' };
  /** Default longest time from QEMU's start to the login prompt. */
  bootTimeoutMs: number;
  /** A boot whose console stays silent this long has hung (default 120 s). */
  silenceMs?: number;
  /** Known defects: a boot failing as one of them is XFAIL, passing despite one is XPASS. */
  knownIssues?: readonly KnownIssue[];
  /** The CA the ISO trusts, for scenarios that publish with a trusted certificate (RunOptions.tlsAuthority). */
  tlsAuthority?: TlsAuthority;
  /** Keep the scenario's temp dir (TFTP root, sockets) for inspection. */
  keepTemp?: boolean;
  /** How often a boot that ended in an infrastructure ERROR is booted again (RunOptions.retries). */
  retries?: number;
  /** Boot a boot that FAILed in the initrd once more with the live module's debug evidence on (RunOptions.debugRerun; on unless false). */
  debugRerun?: boolean;
  /**
   * Hand a boot's console to the user's terminal: 'failed' on a failed boot (run --keep), or a
   * boot index (reproduce), which is then booted without checks. Returns when the user quits.
   */
  attach?: { when: 'failed' | number; terminal: (machine: StartedMachine) => Promise<unknown> };
  observer?: RunObserver;
  signal?: AbortSignal;
}

/**
 * How much longer than on x86_64 the guest takes under TCG (the architecture's measured factor; 1
 * under KVM): the waits on the guest (the boot's deadline, its silence, its power-off) stretch by it.
 */
export const guestTimeScale = (env: Pick<RunEnvironment, 'arch' | 'machine'>): number => (env.machine.accel === 'tcg' ? env.arch.tcgSlowdown : 1);
