/**
 * Fail signatures: console lines that decide a boot's fate at once. Checked on every line as it
 * arrives, so a broken boot is judged seconds after the deciding line instead of at the deadline.
 * The ones here hold for every boot of a Linux live system with dracut; the firmware, the netboot
 * loader and the live module add their own (see console-knowledge.ts).
 */
export interface FailSignature {
  id: string;
  pattern: RegExp;
  /** What it means, for the verdict's reason. */
  meaning: string;
}

export const LINUX_FAIL_SIGNATURES: readonly FailSignature[] = [
  { id: 'kernel-panic', pattern: /Kernel panic - not syncing/, meaning: 'the kernel panicked' },
  { id: 'kernel-oops', pattern: /\bOops: \d{4}|BUG: unable to handle/, meaning: 'the kernel oopsed' },
  { id: 'dracut-fatal', pattern: /\bFATAL: .+/, meaning: 'dracut gave up (FATAL)' },
  { id: 'dracut-refused', pattern: /dracut: Refusing to continue/, meaning: 'dracut refused to continue' },
  {
    id: 'emergency-shell',
    pattern: /Entering emergency mode|Starting .*dracut-emergency|You are in emergency mode|emergency shell/i,
    meaning: "dracut's emergency shell was entered",
  },
  {
    id: 'initqueue-timeout',
    pattern: /dracut-initqueue\[\d+\]: Warning: dracut-initqueue: timeout|Could not boot\./,
    meaning: "dracut's initqueue timed out waiting for the root device",
  },
  {
    // No getty on the serial console means no login prompt, ever: say so now, not at the deadline.
    id: 'serial-getty-failed',
    pattern: /Dependency failed for .*Serial Getty on ttyS0|Failed to start .*Serial Getty on ttyS0/,
    meaning: 'the serial console getty did not start (no login prompt will come)',
  },
];

export interface SignatureHit {
  signature: FailSignature;
  line: string;
}

export function matchFailSignature(line: string, signatures: readonly FailSignature[]): SignatureHit | undefined {
  for (const signature of signatures) {
    if (signature.pattern.test(line)) return { signature, line };
  }
  return undefined;
}

/**
 * Warnings: lines that do not end a boot but explain a failure that comes later (a persistent
 * overlay that silently became a temporary one fails the persistence checks a minute after).
 * Each is kept with the boot's result and quoted in the reason when the boot fails.
 */
export const LINUX_WARNING_SIGNATURES: readonly FailSignature[] = [
  { id: 'initqueue-timeout-warning', pattern: /Warning: dracut-initqueue: starting timeout scripts/, meaning: "dracut's initqueue is timing out" },
];
