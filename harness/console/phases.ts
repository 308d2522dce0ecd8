/**
 * Boot phases as the serial console shows them, in order. A tracker records when each was first
 * reached: the boot timeline, and the phase named in every failure.
 */
/** getty's prompt: "HOSTNAME login: ", possibly followed by kernel messages on the same line. */
export const LOGIN_PROMPT = /^[\w.-]+ login:/;

export const BOOT_PHASES = [
  { id: 'firmware', marker: null, label: 'firmware / PXE' },
  { id: 'pxelinux', marker: /PXELINUX \d|Loading boot\/linux/, label: 'pxelinux' },
  { id: 'kernel', marker: /Linux version \d/, label: 'kernel start' },
  { id: 'initrd', marker: /\(Initramfs\)|Run \/init as init process/, label: 'initrd' },
  // kiwi-live fetches the ISO from dracut's initqueue (it prints nothing of its own about it).
  { id: 'fetch-root', marker: /Starting dracut-initqueue|dracut-initqueue\[\d+\]/, label: 'initqueue: fetching the live root' },
  // basic.target and "running in system mode" appear inside the initrd too: only the switch counts.
  { id: 'live-root', marker: /Reached target initrd-switch-root|Switching root\./, label: 'switch to the live root' },
  { id: 'system', marker: /Reached target multi-user\.target|Reached target .*Multi-User/, label: 'system services' },
  // The kernel may print onto the same line right after the prompt: match its start, not its end.
  { id: 'login', marker: LOGIN_PROMPT, label: 'login prompt' },
] as const;

export type BootPhase = (typeof BOOT_PHASES)[number]['id'];

export class PhaseTracker {
  private index = 0;
  /** Milliseconds since the start at which each phase was first reached. */
  readonly reachedAtMs: Partial<Record<BootPhase, number>> = { firmware: 0 };

  get current(): BootPhase {
    return BOOT_PHASES[this.index]!.id;
  }

  /** Advances on a console line; phases only move forward. */
  observe(text: string, tMs: number): void {
    for (let i = BOOT_PHASES.length - 1; i > this.index; i--) {
      const marker = BOOT_PHASES[i]!.marker;
      if (marker && marker.test(text)) {
        // Skipped phases stay unrecorded: a disk boot has no pxelinux, and a timeline must not invent one.
        this.reachedAtMs[BOOT_PHASES[i]!.id] ??= tMs;
        this.index = i;
        return;
      }
    }
  }
}
