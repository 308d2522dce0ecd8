import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryNote, planDelivery, unprovenDeliveries } from '../../harness/engine/delivery-proof.js';
import { describeTransfer, type Transfer } from '../../harness/publish/transfer-log.js';
import { htmlReporter } from '../../harness/report/html-reporter.js';
import { defineScenario, kernelRanBootEntry, liveImageMatchesPublished, type BootContext, type BootDefinition, type Check } from '../../harness/scenario/index.js';
import type { BootResult } from '../../harness/scenario/result.js';
import { versionsOf } from '../../harness/util/package-version.js';
import { sampleResults } from '../helpers/sample-results.js';

// A PASS rests on the guest: every network boot that logs in gets a proof of delivery unless one
// of its checks is one; without it (turned off, or no login) the PASS says it has no guest proof.
const own: Check = { name: 'a check of my own', run: async () => ({ ok: true, detail: '' }) };
const boot = (extra: Partial<BootDefinition> = {}): BootDefinition => ({ name: 'b', from: 'network', checks: [own], ...extra });

describe('which boots prove delivery from the guest', () => {
  it('a network boot without a proof of its own gets the harness\'s, after its own checks', () => {
    const plan = planDelivery({}, boot());
    expect(plan.checks.map((c) => c.name)).toEqual(['a check of my own', expect.stringMatching(/^delivered: the device the guest mounted the ISO from/)]);
    expect(plan.checks[1]!.proves).toBe('delivery');
    expect(plan.witness).toEqual({ by: 'guest', detail: plan.checks[1]!.name });
  });

  it('a boot that lists a proof keeps its checks as they are', () => {
    const proof = liveImageMatchesPublished('ram');
    const plan = planDelivery({}, boot({ checks: [own, proof] }));
    expect(plan.checks).toEqual([own, proof]);
    expect(plan.witness).toEqual({ by: 'guest', detail: proof.name });
  });

  it('turned off, or without a login, the boot is witnessed by the server alone, and says so', () => {
    const off = planDelivery({}, boot({ deliveryProof: false }));
    expect(off.checks).toEqual([own]);
    expect(off.witness).toEqual({ by: 'server', detail: expect.stringMatching(/deliveryProof: false.*wrote to the connection, not what arrived/) });
    const noLogin = planDelivery({ needsLogin: false }, boot());
    expect(noLogin.checks).toEqual([own]);
    expect(noLogin.witness?.detail).toMatch(/needsLogin: false/);
    expect(deliveryNote(off.witness)).toMatch(/^; NO guest proof of delivery: /);
    expect(deliveryNote(planDelivery({}, boot()).witness)).toBe('');
  });

  it('a boot from the disk delivers nothing, and a negative boot must fail: neither gets a proof', () => {
    expect(planDelivery({}, boot({ from: 'disk' }))).toEqual({ checks: [own] });
    expect(planDelivery({}, boot({ expectFailure: { reason: /x/, why: 'y' } }))).toEqual({ checks: [own] });
  });

  it('deliveryProof accepts false only, naming the field', () => {
    const scenario = (value: unknown) => defineScenario({ name: 's', summary: 's', publish: { protocol: 'http' }, boots: [{ ...boot(), deliveryProof: value as false }] });
    expect(() => scenario(true)).toThrow(/field boots\[0\]\.deliveryProof must be false \(to turn the guest's proof of delivery off\) or left out, got true/);
    expect(() => scenario(false)).not.toThrow();
  });
});

describe('what the reports say of each witness', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxe-delivery-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("the publisher's log says what it wrote to the connection, never that the ISO arrived", () => {
    const t: Transfer = { protocol: 'http', method: 'GET', path: '/image/x.iso', outcome: 'whole', status: 200, complete: true, bytesSent: 1024, sizeBytes: 1024, startedAtMs: 0, durationMs: 1000, client: 'c' };
    expect(describeTransfer(t)).toBe('http GET /image/x.iso -> 200, 1.0 KiB of 1.0 KiB written to the connection in 1.0 s, 0.0 MB/s');
    expect(describeTransfer({ ...t, outcome: 'partial', complete: false, bytesSent: 512 })).toMatch(/-> 200 INCOMPLETE, 512 B of 1\.0 KiB written to the connection/);
  });

  it('a scenario whose boot only the server witnessed says so in its reason and in report.html', async () => {
    const [passed] = sampleResults(dir);
    const unproven: BootResult = { ...passed!.boots[0]!, delivery: { by: 'server', detail: 'the scenario turned it off' } };
    const proven: BootResult = { ...passed!.boots[0]!, name: 'second', delivery: { by: 'guest', detail: 'delivered: the device ...' } };
    expect(unprovenDeliveries([proven, unproven])).toBe('; NO guest proof of delivery in boot 2 (network boot into RAM)');
    expect(unprovenDeliveries([proven])).toBe('');
    await htmlReporter(dir, { iso: 'x.iso' }).onRunEnd?.([{ ...passed!, boots: [unproven, proven] }]);
    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Delivery: <b>NO guest proof</b>: the scenario turned it off.');
    expect(html).toContain('Delivery: proven by the guest (delivered: the device ...)');
  });
});

describe('the path taken, from the guest', () => {
  const context = (cmdline: string) => ({ shell: async () => ({ run: async () => ({ output: `${cmdline}\n`, exitCode: 0 }) }) }) as unknown as BootContext;
  const check = kernelRanBootEntry(['ip=dhcp', 'root=live:http://10.0.2.100/image/x.iso', 'console=ttyS0']);

  it("holds when /proc/cmdline carries the entry's options in order, whatever the loader adds", async () => {
    expect(await check.run(context('BOOT_IMAGE=boot/linux initrd=boot/initrd ip=dhcp root=live:http://10.0.2.100/image/x.iso console=ttyS0'))).toMatchObject({ ok: true });
  });

  it('fails, naming what is missing, for another entry (a fallback to the disk\'s own loader)', async () => {
    const outcome = await check.run(context('BOOT_IMAGE=/boot/vmlinuz root=live:CDLABEL=CDROM rd.live.image'));
    expect(outcome).toMatchObject({ ok: false, detail: expect.stringMatching(/^not the served entry: "ip=dhcp", "root=live:http:\/\/10\.0\.2\.100\/image\/x\.iso", "console=ttyS0" missing/) });
    expect((await check.run(context('console=ttyS0 ip=dhcp root=live:http://10.0.2.100/image/x.iso'))).ok).toBe(false);
  });
});

describe('the versions of the boot path', () => {
  it('names each package of a part once, with the version dpkg knows, and unknown where it knows none', async () => {
    const versions = await versionsOf([{ pkg: 'dpkg' }, { pkg: 'dpkg' }, { pkg: 'no-such-package-pxe-harness' }]);
    expect(versions).toEqual([{ name: 'dpkg', version: expect.stringMatching(/^\d[\w.+~:-]*$/) }, { name: 'no-such-package-pxe-harness', version: 'unknown' }]);
  });
});
