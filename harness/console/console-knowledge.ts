import { KERNEL_PHASES, LIVE_SYSTEM_PHASES, type PhaseDefinition } from './phases.js';
import { LINUX_FAIL_SIGNATURES, LINUX_WARNING_SIGNATURES, type FailSignature } from './signatures.js';

/** What one part of a boot (firmware, netboot loader, live module) adds to reading the console. */
export interface ConsoleContribution {
  readonly phases: readonly PhaseDefinition[];
  readonly failSignatures: readonly FailSignature[];
  readonly warningSignatures?: readonly FailSignature[];
}

/** Everything a boot's console is read with: its phases in order, fail and warning signatures. */
export interface ConsoleKnowledge {
  phases: readonly PhaseDefinition[];
  failSignatures: readonly FailSignature[];
  warningSignatures: readonly FailSignature[];
}

/**
 * The console knowledge of one boot, in boot order: the firmware, then the netboot loader (none
 * for a disk boot), the kernel and initrd, the live module's own phases inside the initrd (its
 * fetch of the root), and the live system up to the login prompt.
 */
export function composeConsoleKnowledge(parts: {
  firmware: ConsoleContribution;
  loader?: ConsoleContribution | undefined;
  liveModule: ConsoleContribution;
}): ConsoleKnowledge {
  const { firmware, loader, liveModule } = parts;
  const all = [firmware, ...(loader ? [loader] : []), liveModule];
  return {
    phases: [...firmware.phases, ...(loader?.phases ?? []), ...KERNEL_PHASES, ...liveModule.phases, ...LIVE_SYSTEM_PHASES],
    failSignatures: [...LINUX_FAIL_SIGNATURES, ...all.flatMap((p) => p.failSignatures)],
    warningSignatures: [...all.flatMap((p) => p.warningSignatures ?? []), ...LINUX_WARNING_SIGNATURES],
  };
}
