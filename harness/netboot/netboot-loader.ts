import type { ConsoleContribution } from '../console/console-knowledge.js';
import type { HostFile } from '../firmware/firmware.js';
import type { FirmwareId } from '../firmware/index.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';
import type { LoaderFiles } from '../iso/loader-files.js';
import type { TransferLog } from '../publish/transfer-log.js';
import type { GuestForward } from '../qemu/qemu-args.js';

/** How the loader fetches kernel and initrd: slirp's TFTP (the seed's setup) or the harness's HTTP. */
export type LoaderTransport = 'tftp' | 'http';

export interface NetbootContext {
  /** A fresh folder of this boot for the TFTP root. */
  runtimeDir: string;
  /** This boot's output folder (the boot-file server's log goes there). */
  artifactsDir: string;
  loaderFiles: LoaderFiles;
  /** The guest's architecture, as a loader built for several needs it (GRUB's EFI platform). */
  arch: { id: string; grubEfiPlatform: string };
  /** The ISO itself, for a loader that boots the ISO's own programs (its signed chain). */
  iso: { path: string; boot: IsoBootFacts };
  /** The complete kernel command line of the boot entry. */
  kernelArgs: readonly string[];
  /** Registers how to undo a setup step (a server started); run when the boot ends. */
  onTeardown(name: string, undo: () => Promise<unknown> | unknown): void;
}

/** Kernel and initrd as paths from the root that serves them: the TFTP root, or the boot-file server ('/boot/linux'). */
export interface BootFilePaths {
  kernel: string;
  initrd: string;
}

/** A file of the loader's setup that a scenario can withhold (BootDefinition.netbootFault). */
export type NetbootFile = 'boot-program' | 'kernel' | 'initrd';

/** What the guest loads, laid out: the machine's network boot setup and the evidence to keep. */
export interface PreparedNetboot {
  tftpRoot: string;
  /** The boot file DHCP names (slirp's bootfile=). */
  bootfile: string;
  /** Guest forwards of the loader's own servers (the boot-file server). */
  forwards: GuestForward[];
  /** The boot entry as served, copied into the boot's folder under this name. */
  entry: { path: string; artifactName: string };
  /** The boot-file server's log, when kernel and initrd come over HTTP. */
  bootFiles?: TransferLog;
  /** Kernel and initrd as the boot entry names them, as paths from the root that serves them (the boot-file server's log has these). */
  bootFilePaths: BootFilePaths;
  /**
   * Takes a file away before the guest starts (a scenario's broken netboot setup); a RangeError
   * for a file this loader does not serve from its TFTP root.
   */
  withhold(file: NetbootFile): Promise<void>;
  /**
   * What the machine needs for this path beyond the firmware's own: the NIC without its option ROM
   * (UEFI HTTP boot: the ROM's iPXE would take the boot over), firmware settings and devices.
   */
  machine?: { nicOptionRom?: false; args?: readonly string[] };
  /**
   * Programs the loader took from elsewhere than a host package (the ISO's shim), or chose among
   * several (GRUB's modules for the guest's platform: the host's package or one fetched into the
   * cache), with the version each declares: the report names them beside the packages' versions.
   */
  usedFiles?: { name: string; version: string }[];
}

/**
 * One netboot loader: what it lays out for the guest and what it shows on the console. Add one:
 * a file next to pxelinux.ts, registered in index.ts for its firmware and transport.
 */
export interface NetbootLoader extends ConsoleContribution {
  readonly id: string;
  /** The netboot path it belongs to (a key of NETBOOT_FAMILIES), which a run picks with --netboot. */
  readonly family: string;
  readonly description: string;
  readonly firmware: FirmwareId;
  /** The architectures it boots (architecture ids): its programs are built for them. */
  readonly architectures: readonly string[];
  readonly transport: LoaderTransport;
  readonly hostFiles: readonly HostFile[];
  /** What it cannot do that a sibling can, for the SKIP reason of a boot that asks it (e.g. a transport it lacks). */
  readonly limits?: string;
  /** Why this loader cannot boot the ISO (it needs a part the ISO lacks), as a SKIP reason; undefined when it can. */
  isoUnsupported?(iso: IsoBootFacts): string | undefined;
  prepare(context: NetbootContext): Promise<PreparedNetboot>;
}
