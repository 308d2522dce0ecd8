/**
 * Fail signatures: console lines that decide a boot's fate at once. Checked on every line as it
 * arrives, so a broken boot is judged seconds after the deciding line instead of at the deadline.
 */
export interface FailSignature {
  id: string;
  pattern: RegExp;
  /** What it means, for the verdict's reason. */
  meaning: string;
}

export const FAIL_SIGNATURES: readonly FailSignature[] = [
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
  {
    id: 'pxe-load-failed',
    pattern: /Failed to load (?:boot\/|ldlinux)|Could not find kernel image|No bootable device|PXE-E\d\d/,
    meaning: 'the PXE loader could not load what it needed',
  },
];

export interface SignatureHit {
  signature: FailSignature;
  line: string;
}

export function matchFailSignature(line: string, signatures: readonly FailSignature[] = FAIL_SIGNATURES): SignatureHit | undefined {
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
export const WARNING_SIGNATURES: readonly FailSignature[] = [
  {
    id: 'kiwi-live-overlay-fallback',
    pattern: /Falling back to temporary overlay|Failed to setup persistent write space/,
    meaning: 'kiwi-live fell back from a persistent to a temporary overlay',
  },
  {
    id: 'mkfs-refused',
    pattern: /mkfs\.\w+: .*appears to contain an existing filesystem|Use the -f option to force overwrite/,
    meaning: 'mkfs refused to overwrite an existing file system',
  },
  { id: 'kiwi-live-warning', pattern: /dracut-initqueue\[\d+\]: Warning: /, meaning: 'kiwi-live printed a warning' },
  { id: 'initqueue-timeout-warning', pattern: /Warning: dracut-initqueue: starting timeout scripts/, meaning: "dracut's initqueue is timing out" },
];
