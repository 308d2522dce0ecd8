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
  /**
   * 'tcg': under TCG this line is the emulator's fault, not the ISO's (an ERROR, retried); under
   * KVM or on metal it is the kernel's.
   */
  blameUnderTcg?: 'host';
  /** Quote the line before it too: the error alone does not name what failed (GRUB's "File not found."). */
  quotePreviousLine?: boolean;
}

export const LINUX_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    // A breakpoint trap or a BUG in the kernel's live code patching (alternatives, static keys)
    // in plain kernel text: multi-threaded TCG racing the patching (seen here with two vCPUs:
    // "Oops: int3" in enqueue_task_fair at the switch root; the same command booted next time).
    id: 'tcg-text-patching',
    pattern: /\bOops: int3\b|kernel BUG at arch\/x86\/kernel\/alternative\.c/,
    meaning: "the kernel trapped in its own live code patching (int3), under TCG a race of the emulator's vCPU threads, not the ISO's fault",
    blameUnderTcg: 'host',
  },
  { id: 'kernel-panic', pattern: /Kernel panic - not syncing/, meaning: 'the kernel panicked' },
  // Older kernels print "Oops: 0002 [#1]", newer ones "Oops: general protection fault: 0000 [#1]".
  { id: 'kernel-oops', pattern: /\bOops: (?:[^:\n]*: )?\d{4} \[#\d+\]|BUG: unable to handle/, meaning: 'the kernel oopsed' },
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
    pattern: /Dependency failed for .*Serial Getty on tty\w+|Failed to start .*Serial Getty on tty\w+/,
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
