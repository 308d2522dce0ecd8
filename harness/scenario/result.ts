import type { DiskEvidence } from '../disk/disk-evidence.js';
import type { Transfer } from '../publish/transfer-log.js';

/** One bar of a boot's timeline, in milliseconds after QEMU's start. */
export interface TimelineEvent {
  id: string;
  label: string;
  startMs: number;
  endMs: number;
  detail?: string;
}

/**
 * PASS: everything the scenario demands was seen. FAIL: the ISO or the boot misbehaved.
 * ERROR: the harness or the host did (missing tool, QEMU crash): never blamed on the ISO.
 * XFAIL: it failed exactly as a known defect (known-issues.json) makes it fail.
 * XPASS: a boot with a known defect passed: the defect seems fixed, the entry should go.
 * SKIP: the scenario does not apply to this ISO or firmware (the reason says why); nothing booted.
 */
export type Verdict = 'PASS' | 'FAIL' | 'ERROR' | 'XFAIL' | 'XPASS' | 'SKIP';

export interface CheckOutcome {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Who witnessed that the ISO arrived whole: the guest (a check compared its copy with the
 * published bytes) or only the publisher (which knows what it wrote to the connection).
 */
export interface DeliveryWitness {
  by: 'guest' | 'server';
  /** The check that proves it, or why nothing in the guest does. */
  detail: string;
}

/** A part of the boot path (firmware, netboot loader) and the versions of the host packages it came from. */
export interface BootComponent {
  part: 'firmware' | 'loader';
  id: string;
  packages: { name: string; version: string }[];
}

export interface BootResult {
  name: string;
  verdict: Verdict;
  reason: string;
  /** The boot phase the console had reached when the boot ended. */
  phase: string;
  /** When the boot began (ISO 8601), and how long it took on the wall clock. */
  startedAt?: string;
  durationMs: number;
  /** Milliseconds after QEMU's start at which each phase was first seen. */
  timeline: Record<string, number>;
  /** Phases and transfers as bars on QEMU's clock (for the HTML report's chart). */
  events: TimelineEvent[];
  kernelArgs: string[];
  transfers: Transfer[];
  /** Kernel and initrd fetched by the netboot loader from the harness's boot-file server (boots with loader 'http'). */
  bootFileTransfers: Transfer[];
  /** The firmware and loader this boot ran, with their packages' versions (a firmware update shows here). */
  components?: BootComponent[];
  /** The netboot loader's boot entry as served, under this name in artifactsDir (none on a disk boot). */
  entryFile?: string;
  checks: CheckOutcome[];
  /** Who witnessed the ISO's delivery (network boots that log in); absent where nothing was to be delivered. */
  delivery?: DeliveryWitness;
  /** Console lines that matched a warning signature (see console/signatures.ts). */
  warnings: string[];
  /** What the host read from each disk after this boot. */
  disks: DiskEvidence[];
  artifactsDir: string;
  consoleTail: string[];
  /** The boot ended on a fault of the host (e.g. a TCG race in the guest kernel), not of the ISO. */
  hostFault?: boolean;
  /**
   * What broke the boot off from outside the guest and the ISO, set with its ERROR: the run
   * stopped by a signal, QEMU killed (a signal the harness did not send) or failed, a full disk or
   * evidence that could not be written. Never retried: a retry would hide it or meet it again.
   */
  outsideCause?: string;
  /**
   * When the evidence that decided the verdict arrived (Date.now() based): the login prompt or the
   * last check, the fail signature's line, QEMU's exit, the failed transfer, the deadline. The
   * verdict latency is the time from here to the verdict.
   */
  decidedAtMs?: number;
  /** What the live module's debug evidence showed and where it is kept (a boot with debug evidence on that failed). */
  debugEvidence?: string;
  /**
   * A failed boot booted once more with the live module's debug evidence on (RunOptions.debugRerun):
   * its folder, its verdict and what its evidence showed. The verdict above stays this boot's.
   */
  debugRerun?: { artifactsDir: string; verdict: Verdict; evidence?: string };
}

export interface ScenarioResult {
  name: string;
  summary: string;
  verdict: Verdict;
  reason: string;
  durationMs: number;
  /** When the scenario began (ISO 8601). */
  startedAt?: string;
  /** The firmware it booted under (its name: bios, uefi, uefi-secure) and the guest's architecture (x86_64, aarch64). */
  firmware?: string;
  architecture?: string;
  /** The scenario file it came from (a user's scenario); none for a built-in one. */
  sourceFile?: string;
  boots: BootResult[];
  artifactsDir: string;
}

/** The worst verdict wins: ERROR, FAIL, XPASS, XFAIL, PASS. */
export function worstVerdict(verdicts: Verdict[]): Verdict {
  for (const v of ['ERROR', 'FAIL', 'XPASS', 'XFAIL'] as const) if (verdicts.includes(v)) return v;
  return 'PASS';
}
