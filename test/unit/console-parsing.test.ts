import { describe, expect, it } from 'vitest';
import { cleanConsoleLine } from '../../harness/console/clean-text.js';
import { ConsoleLog } from '../../harness/console/console-log.js';
import { PhaseTracker } from '../../harness/console/phases.js';
import { matchFailSignature } from '../../harness/console/signatures.js';
import { BIOS_DISK_KIWI, BIOS_PXELINUX_KIWI } from '../helpers/console-knowledge.js';

const FAIL_SIGNATURES = BIOS_PXELINUX_KIWI.failSignatures;
const WARNING_SIGNATURES = BIOS_PXELINUX_KIWI.warningSignatures;
import { chunksOf, FAILED_TRANSCRIPT, readTranscript, SUCCESSFUL_TRANSCRIPTS } from '../helpers/transcripts.js';

function parse(name: string): ConsoleLog {
  const log = new ConsoleLog();
  for (const chunk of chunksOf(readTranscript(name))) log.push(chunk);
  return log;
}

describe('cleanConsoleLine', () => {
  it('removes OSC 3008 terminated by ST, DCS queries and soft resets, not only colours', () => {
    const raw =
      '\x1b[!p\x1b]104\x1b\\\x1b[0m\x1b[?7h\x1b[1G\x1b[0J\x1b7\x1b[32766;32766H\x1b[6n\x1b8' +
      '\x1b]3008;start=abc;user=root;type=service\x1b\\\x1bP+q6E616D65\x1b\\[   61.787074] kvm_amd: Nested\r';
    expect(cleanConsoleLine(raw)).toBe('[   61.787074] kvm_amd: Nested');
  });
  it('keeps what stands last on a line overwritten with carriage returns', () => {
    expect(cleanConsoleLine('[  *** ] A start job is running\r[  OK  ] Started x.\r\r')).toBe('[  OK  ] Started x.');
  });
  it('hides an escape sequence cut off at the end of a partial line', () => {
    expect(cleanConsoleLine('vm login: \x1b]3008;start=1', { partial: true })).toBe('vm login:');
  });
});

describe('ConsoleLog on the real transcripts', () => {
  it.each([...SUCCESSFUL_TRANSCRIPTS, FAILED_TRANSCRIPT])('%s: no escape or control character survives', (name) => {
    const log = parse(name);
    expect(log.lines.length).toBeGreaterThan(300);
    for (const { text } of log.lines) {
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(text).not.toMatch(/3008;start=|P\+q6E616D65/);
    }
  });

  it('keeps the login prompt, which has no newline, as the partial line', () => {
    const log = parse('ram-deploy-http.serial.log');
    expect(log.partial).toBe('vm login:');
    expect(log.tail(3).at(-1)).toBe('vm login:');
    expect(log.lines.some((l) => l.text.includes('Linux version 7.2.13'))).toBe(true);
  });

  it('decodes UTF-8 split across chunks', () => {
    const log = new ConsoleLog();
    const bytes = Buffer.from('Finished fixture-report.service - M…t boot\n');
    const cut = bytes.indexOf(0xe2) + 1;
    log.push(bytes.subarray(0, cut));
    log.push(bytes.subarray(cut));
    expect(log.lines[0]!.text).toBe('Finished fixture-report.service - M…t boot');
  });
});

describe('fail signatures', () => {
  it.each(SUCCESSFUL_TRANSCRIPTS)('%s: a good boot matches none', (name) => {
    const hits = parse(name).lines.map((l) => matchFailSignature(l.text, FAIL_SIGNATURES)).filter(Boolean);
    expect(hits).toEqual([]);
  });
  it('a serial getty that never starts is a failure, named at once', () => {
    const line = '[DEPEND] Dependency failed for serial-getty…S0.service - Serial Getty on ttyS0.';
    expect(matchFailSignature(line, FAIL_SIGNATURES)?.signature.id).toBe('serial-getty-failed');
  });
  it('the failed fetch is caught at dracut\'s FATAL line', () => {
    const hit = parse(FAILED_TRANSCRIPT).lines.map((l) => matchFailSignature(l.text, FAIL_SIGNATURES)).find(Boolean);
    expect(hit?.signature.id).toBe('dracut-fatal');
    expect(hit?.line).toContain('FATAL: Failed to mount live ISO device');
  });
});

describe('warning signatures', () => {
  it.each(SUCCESSFUL_TRANSCRIPTS)('%s: a good boot raises no warning', (name) => {
    expect(parse(name).lines.filter((l) => matchFailSignature(l.text, WARNING_SIGNATURES))).toEqual([]);
  });
  it("catches kiwi-live's fall back from a persistent to a temporary overlay", () => {
    const line = '[   78.550762] dracut-initqueue[373]: Warning: Falling back to temporary overlay';
    expect(matchFailSignature(line, WARNING_SIGNATURES)?.signature.id).toBe('kiwi-live-overlay-fallback');
    expect(matchFailSignature(line, FAIL_SIGNATURES)).toBeUndefined();
  });
});

describe('PhaseTracker', () => {
  it('walks a RAM deploy through every phase in order up to the login prompt', () => {
    const log = parse('ram-deploy-ftp.serial.log');
    const tracker = new PhaseTracker(BIOS_PXELINUX_KIWI.phases);
    log.lines.forEach((l, i) => tracker.observe(l.text, i));
    tracker.observe(log.partial, log.lines.length);
    expect(tracker.current).toBe('login');
    const order = BIOS_PXELINUX_KIWI.phases.map((p) => tracker.reachedAtMs[p.id]);
    expect(order.every((t) => t !== undefined)).toBe(true);
    expect([...order].sort((a, b) => a! - b!)).toEqual(order);
  });
  it('stops in the initrd for the failed fetch', () => {
    const log = parse(FAILED_TRANSCRIPT);
    const tracker = new PhaseTracker(BIOS_PXELINUX_KIWI.phases);
    log.lines.forEach((l, i) => tracker.observe(l.text, i));
    expect(tracker.current).toBe('fetch-root');
    expect(tracker.reachedAtMs['live-root']).toBeUndefined();
  });
  it('a standalone disk boot reaches the login, with kernel messages after the prompt, and no pxelinux phase', () => {
    const log = parse('standalone-disk-boot-kiwi11.serial.log');
    const tracker = new PhaseTracker(BIOS_DISK_KIWI.phases);
    expect(BIOS_DISK_KIWI.phases.map((p) => p.id)).not.toContain('pxelinux');
    log.lines.forEach((l, i) => tracker.observe(l.text, i));
    expect(tracker.current).toBe('login');
    expect(tracker.reachedAtMs.pxelinux).toBeUndefined();
  });
});
