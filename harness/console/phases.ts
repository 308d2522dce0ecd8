/**
 * Boot phases as the serial console shows them, in order. The firmware, the netboot loader and
 * the live module each add their own (see ConsoleKnowledge); the Linux ones below are common to
 * every boot. A tracker records when each was first reached: the boot timeline, and the phase
 * named in every failure.
 */
/** getty's prompt: "HOSTNAME login: ", possibly followed by kernel messages on the same line. */
export const LOGIN_PROMPT = /^[\w.-]+ login:/;

export interface PhaseDefinition {
  id: string;
  /** The console line that shows the phase began; null for the phase a boot starts in. */
  marker: RegExp | null;
  label: string;
}

export const KERNEL_PHASES: readonly PhaseDefinition[] = [
  { id: 'kernel', marker: /Linux version \d/, label: 'kernel start' },
  { id: 'initrd', marker: /\(Initramfs\)|Run \/init as init process/, label: 'initrd' },
];

export const LIVE_SYSTEM_PHASES: readonly PhaseDefinition[] = [
  // basic.target and "running in system mode" appear inside the initrd too: only the switch counts.
  { id: 'live-root', marker: /Reached target initrd-switch-root|Switching root\./, label: 'switch to the live root' },
  { id: 'system', marker: /Reached target multi-user\.target|Reached target .*Multi-User/, label: 'system services' },
  // The kernel may print onto the same line right after the prompt: match its start, not its end.
  { id: 'login', marker: LOGIN_PROMPT, label: 'login prompt' },
];

/** The first phase in which the initrd runs: a boot that ends before it has not touched a disk. */
export const FIRST_INITRD_PHASE = 'initrd';

/** A phase with the time it was first seen, in milliseconds after QEMU's start. */
export interface ReachedPhase {
  id: string;
  label: string;
  atMs: number;
}

export class PhaseTracker {
  private index = 0;
  /** Milliseconds since the start at which each phase was first reached. */
  readonly reachedAtMs: Record<string, number>;

  constructor(readonly phases: readonly PhaseDefinition[]) {
    if (!phases.length) throw new RangeError('a phase tracker needs at least one phase');
    this.reachedAtMs = { [phases[0]!.id]: 0 };
  }

  get current(): string {
    return this.phases[this.index]!.id;
  }

  /** Advances on a console line; phases only move forward. */
  observe(text: string, tMs: number): void {
    for (let i = this.phases.length - 1; i > this.index; i--) {
      const marker = this.phases[i]!.marker;
      if (marker && marker.test(text)) {
        // Skipped phases stay unrecorded: a disk boot has no pxelinux, and a timeline must not invent one.
        this.reachedAtMs[this.phases[i]!.id] ??= tMs;
        this.index = i;
        return;
      }
    }
  }

  /** The phases seen so far, in boot order, with their labels. */
  reached(): ReachedPhase[] {
    return this.phases.filter((p) => this.reachedAtMs[p.id] !== undefined).map((p) => ({ id: p.id, label: p.label, atMs: this.reachedAtMs[p.id]! }));
  }
}
