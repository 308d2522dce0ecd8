import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';

/** How the firmware is told what to boot: `-boot order=` (SeaBIOS) or `bootindex=` on the device (OVMF). */
export type BootSelection = 'boot-order' | 'bootindex';

/** A host file the firmware needs, and the Debian package that has it (for doctor and errors). */
export interface HostFile {
  path: string;
  pkg: string;
}

/**
 * One firmware the guest can start with: what the machine needs for it, what it shows on the
 * console, and how to see it loop. Add one: a file next to seabios.ts, registered in index.ts.
 */
export interface Firmware<Id extends string = string> {
  /** Its name on the command line (`--firmware`); the same name may be another architecture's firmware. */
  readonly id: Id;
  readonly description: string;
  /** The architecture it starts (an architecture id): `--firmware uefi` is OVMF on x86_64, AAVMF on aarch64. */
  readonly architecture: string;
  /** QEMU's machine type and its options (`-machine TYPE[,OPTIONS]`). */
  readonly machineType: string;
  readonly bootSelection: BootSelection;
  readonly hostFiles: readonly HostFile[];
  /** Phases before any loader runs (the firmware's own, e.g. its PXE client). */
  readonly phases: readonly PhaseDefinition[];
  /** Console lines of the firmware that decide a boot at once (nothing to boot, PXE errors). */
  readonly failSignatures: readonly FailSignature[];
  /**
   * QEMU arguments of the firmware for one boot (e.g. pflash with a fresh copy of the variables
   * store in runtimeDir); [] when QEMU's built-in default is the firmware.
   */
  machineArgs(runtimeDir: string): Promise<string[]>;
  /**
   * Why a disk written from this ISO (a deploy's copy of it) cannot boot under this firmware, as
   * the SKIP reason of a scenario with a disk boot; undefined when it can.
   */
  diskBootUnsupported(iso: IsoBootFacts): string | undefined;
  /**
   * How long the KVM probe waits for this firmware's first PXE request before it judges KVM
   * unusable: the time it takes under TCG, with a margin (a working KVM is only faster).
   */
  readonly probeSettleMs: number;
  /**
   * Whether the firmware enforces Secure Boot: every program of the chain must verify. The harness
   * then proves it from the guest, and an ISO without a signed chain cannot boot under it.
   */
  readonly secureBoot: boolean;
}
