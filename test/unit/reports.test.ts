import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'junit2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phaseColor, renderHtmlReport, timelineSvg } from '../../harness/report/html-reporter.js';
import { renderJUnit } from '../../harness/report/junit-reporter.js';
import { buildTimeline } from '../../harness/engine/timeline.js';
import { sampleResults } from '../helpers/sample-results.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-report-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('JUnit XML', () => {
  it('loads in a JUnit parser: a testcase per boot (classname the scenario), the failure with reason and console tail, files as attachments', async () => {
    const results = sampleResults(join(dir, 'junit'));
    const failed = results[1]!.boots[1]!;
    await mkdir(failed.artifactsDir, { recursive: true });
    await writeFile(join(failed.artifactsDir, 'screen-failure.png'), 'png');
    const skipped = { ...results[0]!, name: 'dolly-deploy', verdict: 'SKIP' as const, reason: 'does not apply: no dolly', boots: [], sourceFile: '/mine/dolly.ts', startedAt: '2026-12-04T10:00:00.000Z' };
    const xml = renderJUnit([...results, skipped], join(dir, 'junit'), undefined, { complete: true, startedAtMs: Date.parse('2026-12-04T10:00:00Z'), wallMs: 200_000 });
    type Case = { classname?: string; name?: string; time?: number; timestamp?: string; file?: string; failure?: { message?: string; inner?: string }[]; skipped?: unknown[]; 'system-out'?: string[] };
    const parsed = (await parse(xml)) as { tests?: number; failures?: number; time?: number; testsuite?: { timestamp?: string; skipped?: number; testcase?: Case[] }[] };
    expect([parsed.tests, parsed.failures, parsed.testsuite![0]!.skipped]).toEqual([4, 1, 1]);
    // The suite's time is the run's wall time, not the sum of boots that ran side by side.
    expect(parsed.time).toBe(200);
    expect(parsed.testsuite![0]!.timestamp).toBe('2026-12-04T10:00:00.000Z');
    const cases = parsed.testsuite![0]!.testcase!;
    expect(cases.map((c) => [c.classname, c.name])).toEqual([
      ['ram-deploy-http', '1. network boot into RAM'], ['persistent-lifecycle', '1. a. deploy'], ['persistent-lifecycle', '2. b. network boot again'], ['dolly-deploy', '(no boot)'],
    ]);
    expect(cases[0]!.failure).toBeUndefined();
    const failure = cases[2]!.failure![0]!;
    expect(failure.message).toBe('dracut gave up (FATAL): "dracut: FATAL: Failed to mount live ISO device" <&>');
    expect(failure.inner).toContain('reboot: Power down');
    expect(cases[2]!['system-out']![0]).toMatch(/boot 2 "b. network boot again": FAIL .*\n.*FAIL the ISO was transferred/);
    expect(cases[2]!['system-out']![0]).toContain(`[[ATTACHMENT|${join(failed.artifactsDir, 'screen-failure.png')}]]`);
    expect([cases[3]!.skipped?.length, cases[3]!.file, cases[3]!.timestamp]).toEqual([1, '/mine/dolly.ts', '2026-12-04T10:00:00.000Z']);
  });
});

describe('timeline', () => {
  it('puts phases end to end and the transfer on the machine clock', () => {
    const events = buildTimeline([
      { id: 'firmware', label: 'firmware / PXE', atMs: 0 },
      { id: 'pxelinux', label: 'pxelinux', atMs: 5_000 },
      { id: 'kernel', label: 'kernel start', atMs: 30_000 },
      { id: 'login', label: 'login prompt', atMs: 150_000 },
    ], 160_000, [
      { protocol: 'ftp', method: 'RETR', path: '/image/x.iso', outcome: 'whole', status: 226, complete: true, bytesSent: 200e6, sizeBytes: 200e6, startedAtMs: 1_000_080_000, durationMs: 10_000, client: 'c' },
    ], 1_000_000_000);
    expect(events.map((e) => [e.id, e.startMs, e.endMs])).toEqual([
      ['firmware', 0, 5_000],
      ['pxelinux', 5_000, 30_000],
      ['kernel', 30_000, 150_000],
      ['login', 150_000, 160_000],
      ['transfer', 80_000, 90_000],
    ]);
    expect(events[4]!.detail).toBe('226, 190.7 MiB, 20.0 MB/s');
  });

  it('draws one bar per event in the SVG', () => {
    const svg = timelineSvg(sampleResults(dir)[0]!.boots[0]!.events, 160_000);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(svg).toContain('data-phase="transfer"');
  });

  it('colours the phases by their place in the boot, whatever their ids, and the transfers red', () => {
    const bar = (id: string, startMs: number) => ({ id, label: id, startMs, endMs: startMs + 10 });
    const svg = timelineSvg([bar('firmware', 0), bar('some-new-loader', 10), bar('kernel', 20), bar('transfer', 15)], 30);
    const fills = [...svg.matchAll(/data-phase="([^"]+)"[^>]* fill="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(fills).toEqual([['firmware', phaseColor(0)], ['some-new-loader', phaseColor(1)], ['kernel', phaseColor(2)], ['transfer', '#ef5350']]);
    expect(new Set([0, 1, 2, 3, 4, 5, 6, 7].map(phaseColor)).size).toBe(8);
    expect(phaseColor(8)).toBe(phaseColor(0));
  });
});

describe('HTML report', () => {
  it('is one file with the screenshots inside, links to the logs, and escapes console text', async () => {
    const results = sampleResults(dir);
    const bootDir = results[1]!.boots[1]!.artifactsDir;
    await mkdir(bootDir, { recursive: true });
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await writeFile(join(bootDir, 'screen-failure.png'), png);
    await writeFile(join(bootDir, 'serial.log'), 'log');
    const html = await renderHtmlReport(results, dir, { iso: '/x.iso' });
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).toContain('href="persistent-lifecycle/boot-2/serial.log"');
    expect(html).toContain('1 passed, 1 failed, 0 errors, 0 known issues');
    expect(html).toContain('&lt;&amp;&gt;');
    // Opens offline: nothing is loaded from anywhere but the file itself and the logs beside it (its one script is inline).
    expect(html).not.toMatch(/<script [^>]*src=|<link|src="https?:|url\(/);
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it("links every file of a boot's folder (the loader's entry whatever its name) and of its scenario's (transfers.jsonl), and the reproduce command", async () => {
    const results = sampleResults(join(dir, 'links'));
    const boot = results[0]!.boots[0]!;
    await mkdir(boot.artifactsDir, { recursive: true });
    await writeFile(join(boot.artifactsDir, 'grub.cfg'), 'menuentry');
    await writeFile(join(results[0]!.artifactsDir, 'transfers.jsonl'), '{}');
    expect(await renderHtmlReport(results, join(dir, 'links'))).not.toContain('pxe-harness reproduce');
    await writeFile(join(boot.artifactsDir, 'reproduce.json'), '{}');
    const html = await renderHtmlReport(results, join(dir, 'links'));
    expect(html).toContain('href="ram-deploy-http/boot-1/grub.cfg">grub.cfg</a>');
    expect(html).toContain('href="ram-deploy-http/transfers.jsonl">transfers.jsonl</a>');
    expect(html).toContain(`<code>pxe-harness reproduce ${boot.artifactsDir}</code> <button type="button" class="copy" data-copy="pxe-harness reproduce ${boot.artifactsDir}">copy</button>`);
  });

  it("carries the ISO's facts, read before any boot, folded at the top", async () => {
    const facts = {
      iso: { path: '/x.iso', sizeBytes: 2 ** 27, volumeId: 'CDROM', preparer: 'KIWI - HTTPS://GITHUB.COM/OSINSIDE/KIWI', publisher: '' },
      liveModule: { id: 'kiwi-live', evidence: 'usr/sbin/kiwi-live-root in the initrd' },
      architecture: { id: 'x86_64', loaderFolder: '/boot/x86_64/loader' },
      dracut: '112-7',
      boot: { partitionTable: 'gpt', efiSystemPartition: true, signedChain: { shim: '/EFI/BOOT/bootx64.efi', loader: '/EFI/BOOT/grubx64.efi' } },
      kernel: { signedBy: ['CN = Debian Secure Boot Signer 2022 - linux'] },
      initrdTools: [{ tool: 'xz', path: null, neededFor: 'a .xz URL' }],
      caBundle: null, mediaCheckTag: false, squashfs: null, memory: { defaultMemoryMb: 3072, isoMiB: 128, percentOfMemory: 4 },
    };
    const html = await renderHtmlReport(sampleResults(dir), dir, { facts });
    expect(html).toContain('<details id="iso-facts"><summary>The ISO, read before any boot: CDROM, 128 MiB, kiwi-live, gpt, signed chain</summary>');
    expect(html).toContain('<td>kernel</td><td>signed by CN = Debian Secure Boot Signer 2022 - linux</td>');
    expect(html).toContain('xz: MISSING (for a .xz URL)');
    expect(html).toContain('<td>architecture</td><td>x86_64 (kernel and initrd in /boot/x86_64/loader)</td>');
    expect(await renderHtmlReport(sampleResults(dir), dir)).not.toContain('iso-facts');
  });

  it('has the conformance section only where built-in scenarios ran', async () => {
    expect(await renderHtmlReport(sampleResults(dir), dir)).toContain('id="conformance"');
    const own = sampleResults(dir).map((r) => ({ ...r, name: `my-${r.name}` }));
    expect(await renderHtmlReport(own, dir)).not.toContain('id="conformance"');
  });
});
