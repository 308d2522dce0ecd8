import { PhaseTracker } from '../console/phases.js';
import { matchFailSignature } from '../console/signatures.js';
import type { DiskEvidence } from '../disk/disk-evidence.js';
import type { DiskImage } from '../disk/disk-image.js';
import type { IsoInfo } from '../iso/iso-image.js';
import type { LiveSource } from '../live/live-module.js';
import type { BootFilePaths } from '../netboot/index.js';
import type { Publisher } from '../publish/publisher.js';
import type { Transfer, TransferLog } from '../publish/transfer-log.js';
import type { FileWriteError } from '../util/write-error.js';
import type { StartedMachine } from '../qemu/machine.js';
import type { BootPlan } from './boot-plan.js';
import type { RunEnvironment } from './environment.js';
import type { BootComponent, BootResult, CheckOutcome, Verdict } from '../scenario/result.js';
import type { BootDefinition, ScenarioDefinition } from '../scenario/define-scenario.js';
import { buildTimeline } from './timeline.js';

/** One boot of a scenario, as the scenario runner hands it over. */
export interface BootRun {
  scenario: ScenarioDefinition;
  boot: BootDefinition;
  index: number;
  env: RunEnvironment;
  /** The scenario's publisher; its transfer log is the witness of every fetch. */
  publisher: Publisher;
  disks: DiskImage[];
  state: Map<string, string>;
  runtimeDir: string;
  artifactsDir: string;
  /** What the guest boots the ISO from (a URL, or a target on its Ethernet segment), for the live module to spell. */
  source: LiveSource;
  /** The ISO's URL as the guest sees it, for the checks (a description of the target for a publisher without URLs). */
  isoUrl: string;
  iso: Pick<IsoInfo, 'sizeBytes' | 'volumeId'> & { urlPath: string; hostPath: string };
}

/**
 * What one boot has gathered so far (phases, warnings, checks, disk evidence, the machine) and
 * how it turns into a BootResult. Stages of the boot write into it; finish() reads it.
 */
export class BootSession {
  readonly startedAtMs = Date.now();
  readonly tracker: PhaseTracker;
  readonly checks: CheckOutcome[] = [];
  readonly warnings: string[] = [];
  readonly diskEvidence: DiskEvidence[] = [];
  private readonly firstTransfer: number;
  private readonly firstWriteError: number;
  machine?: StartedMachine;
  bootFiles?: TransferLog;
  /** The netboot loader as prepared for this boot (none on a disk boot): for the checks and the result. */
  netboot?: { loaderId: string; bootFilePaths: BootFilePaths; entryFile: string };
  /** The firmware and loader of this boot, with versions (read once the machine is laid out). */
  components: BootComponent[] = [];
  /** Programs the netboot loader took from the ISO or chose, with their versions (PreparedNetboot.usedFiles). */
  usedFiles: { name: string; version: string }[] = [];
  /** The verdict finish() gave last, for teardown steps that depend on it (run --keep). */
  lastVerdict?: Verdict;
  /** When the deciding evidence arrived (Date.now() based). */
  decidedAtMs?: number;

  constructor(
    readonly run: BootRun,
    readonly plan: BootPlan,
  ) {
    this.tracker = new PhaseTracker(plan.console.phases);
    this.firstTransfer = run.publisher.transfers.transfers.length;
    this.firstWriteError = run.publisher.transfers.writeErrors.length;
  }

  /**
   * The boot's evidence files that could not be written whole (a full disk): lines of the ISO's
   * transfer log from this boot on, of the boot files' log, the console's files, QEMU's stderr.
   */
  lostEvidence(): FileWriteError[] {
    const logs = [...this.run.publisher.transfers.writeErrors.slice(this.firstWriteError), ...(this.bootFiles?.writeErrors ?? [])];
    return [...logs.map(({ filePath, error }) => ({ filePath, error })), ...(this.machine?.writeErrors ?? [])];
  }

  /** Transfers of the ISO publisher that ended during this boot. */
  transfers(): Transfer[] {
    return this.run.publisher.transfers.transfers.slice(this.firstTransfer);
  }

  /** Feeds a console line to the phase tracker and the warning signatures; says whether the phase changed. */
  observeLine(text: string, tMs: number): boolean {
    const before = this.tracker.current;
    this.tracker.observe(text, tMs);
    if (matchFailSignature(text, this.plan.console.warningSignatures)) this.warnings.push(text.trim());
    return this.tracker.current !== before;
  }

  finish(verdict: Verdict, reason: string): BootResult {
    this.lastVerdict = verdict;
    const machine = this.machine;
    const warned = verdict !== 'PASS' && this.warnings.length ? `; console warnings: ${summarizeWarnings(this.warnings)}` : '';
    return {
      name: this.run.boot.name,
      verdict,
      reason: reason + warned,
      phase: this.tracker.current,
      startedAt: new Date(this.startedAtMs).toISOString(),
      durationMs: Date.now() - this.startedAtMs,
      timeline: { ...this.tracker.reachedAtMs },
      events: buildTimeline(this.tracker.reached(), machine ? Date.now() - machine.startedAtMs : 0, this.transfers(), machine?.startedAtMs),
      kernelArgs: this.plan.kernelArgs,
      transfers: this.transfers(),
      bootFileTransfers: this.bootFiles?.transfers ?? [],
      ...(this.netboot ? { entryFile: this.netboot.entryFile } : {}),
      ...(this.components.length ? { components: this.components } : {}),
      checks: this.checks,
      warnings: this.warnings,
      disks: this.diskEvidence,
      artifactsDir: this.run.artifactsDir,
      consoleTail: machine?.console.tail(30) ?? [],
      decidedAtMs: this.decidedAtMs ?? Date.now(),
    };
  }
}

/**
 * The warnings for a reason: each distinct message once (the kernel's timestamp and the process
 * id aside), the first seen quoted, with how often it came (livenet repeats its retry warning
 * up to 100 times).
 */
export function summarizeWarnings(warnings: readonly string[]): string {
  const groups = new Map<string, { first: string; count: number }>();
  for (const w of warnings) {
    const key = w.replace(/^\[\s*[\d.]+\]\s*/, '').replace(/\[\d+\]/g, '[]');
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { first: w, count: 1 });
  }
  return [...groups.values()].map((g) => `"${g.first}"${g.count > 1 ? ` (${g.count} times)` : ''}`).join(', ');
}
