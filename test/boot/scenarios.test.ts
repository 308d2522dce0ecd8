import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'junit2json';
import { fixtureIsoPath, fixtureTlsAuthority } from '../../harness/iso/fixture-iso.js';
import { conformanceReporter } from '../../harness/report/conformance.js';
import { htmlReporter } from '../../harness/report/html-reporter.js';
import { jsonReporter } from '../../harness/report/json-reporter.js';
import { junitReporter } from '../../harness/report/junit-reporter.js';
import { isoTransferredOnce, defineScenario, liveRootCopiedToRam, mediaCheckPassed, liveIsoMountedFrom } from '../../harness/scenario/index.js';
import { loadKnownIssues } from '../../harness/engine/known-issues.js';
import type { BootResult, ScenarioResult } from '../../harness/scenario/result.js';
import corruptedIso from '../../scenarios/corrupted-iso.js';
import diskDeployNotPersistent from '../../scenarios/disk-deploy-not-persistent.js';
import netbootKernelMissing from '../../scenarios/netboot-kernel-missing.js';
import secureBootKernelAltered from '../../scenarios/secure-boot-kernel-altered.js';
import persistentExt4 from '../../scenarios/persistent-ext4.js';
import persistentLifecycle from '../../scenarios/persistent-lifecycle.js';
import ramDeployHttp from '../../scenarios/ram-deploy-http.js';
import ramDeployHttpLpxelinux from '../../scenarios/ram-deploy-http-lpxelinux.js';
import ramDeployHttps from '../../scenarios/ram-deploy-https.js';
import httpsUntrustedCertificate from '../../scenarios/https-untrusted-certificate.js';
import ramdiskTooSmall from '../../scenarios/ramdisk-too-small.js';
import stalledIso from '../../scenarios/stalled-iso.js';
import truncatedIso from '../../scenarios/truncated-iso.js';
import mediaCheckCorrupted from '../../scenarios/media-check-corrupted.js';
import ramDeployFtp from '../../scenarios/ram-deploy-ftp.js';
import aoeBoot from '../../scenarios/aoe-boot.js';
import dollyDeploy from '../../scenarios/dolly-deploy.js';
import isoNotReadyAtFirst from '../../scenarios/iso-not-ready-at-first.js';
import xzCompressedIso from '../../scenarios/xz-compressed-iso.js';
import overlayStoreOverlayfs from '../../scenarios/overlay-store-overlayfs.js';
import overlayStoreMissing from '../../scenarios/overlay-store-missing.js';
import ramDeployHttpsVerified from '../../scenarios/ram-deploy-https-verified.js';
import { checkTlsAuthority } from '../../harness/publish/tls-certificate.js';
import { runBootJobs } from '../helpers/boot-pool.js';
import { removeOnSuccess } from '../helpers/keep-on-failure.js';
import { leftovers, newLeftovers, type Leftovers } from '../helpers/leftovers.js';

// Real boots: the fixture ISO, real QEMU under TCG, real pxelinux over slirp TFTP, the real
// publishers, real 3G disks. Every scenario of the main job plus a broken setup, two at a time
// (one vCPU each: on 2 cores that boots about 1.3 times as many per hour as one at a time), in
// one run as the main job does it; the tests below then read each verdict's evidence.
const BROKEN_TIMEOUT_MS = 900_000;
const broken = defineScenario({
  name: 'broken-url',
  summary: 'the boot entry asks for an ISO the publisher does not serve',
  publish: { protocol: 'http', requestPath: '/image/missing.iso' },
  boots: [{ name: 'network boot', from: 'network', timeoutMs: BROKEN_TIMEOUT_MS, checks: [isoTransferredOnce()] }],
});

// The CI tier: every capability proven by at least one real boot, never the same capability twice
// (a boot costs 2 to 6 minutes under TCG); every scenario on every firmware is the main job
// (`npm run main`). So: cowfs=ext4 by its first boot; https and lpxelinux in one boot; ftp by
// dmsquash's options boot and the stall; the persistent deploy onto the EFI hybrid's GPT and the
// standalone boot of that disk, through the ISO's shim with Secure Boot on (lifecycle boots a and
// c), which is also the tier's Secure Boot network boot; keeping data across boots by that disk
// boot, and losing it by the non-persistent deploy's second boot; a known issue by the xz ISO.
// persistent-lifecycle's five boots, the RAM deploy under plain UEFI (GRUB: dmsquash's options
// boot) and iPXE under SeaBIOS (iPXE: under OVMF) are the main job's.
/**
 * The same description built for aarch64 (an EFI hybrid: AAVMF, GRUB for arm64 EFI, ttyAMA0), when
 * it is built: its build runs every program of an arm64 build root under qemu-user-static (47 to
 * 91 minutes from nothing on 2 cores, README "The fixture ISO"), which a new machine's CI run
 * cannot afford beside the boots; scripts/test.sh builds it first with PXE_HARNESS_AARCH64_FIXTURE=build,
 * and npm run main always does.
 */
const armIsoPath = await fixtureIsoPath({ build: false, progress: false, arch: 'aarch64' });
const armIso = (await stat(armIsoPath).then((s) => s.size > 0, () => false)) ? armIsoPath : undefined;
const NO_ARM_FIXTURE = `the aarch64 fixture is not built (${armIsoPath}): build it with npm run fixture -- --arch aarch64, or run npm test with PXE_HARNESS_AARCH64_FIXTURE=build`;

const ext4Deploy = { ...persistentExt4, boots: persistentExt4.boots.slice(0, 1) };
const httpsViaLpxelinux = defineScenario({
  ...ramDeployHttps, name: 'ram-deploy-https-lpxelinux', boots: [{ ...ramDeployHttps.boots[0]!, loader: 'http', checks: [...ramDeployHttps.boots[0]!.checks, ...ramDeployHttpLpxelinux.boots[0]!.checks.slice(0, 1)] }],
});
// dmsquash (on its own fixture): the RAM deploy with its default device-mapper overlay under BIOS;
// rd.live.ram, the overlayfs overlay and the media check in one ftp boot under UEFI; a corrupted
// ISO refused by the media check; a persistent scenario SKIPPED (nothing boots).
const dmsquashOptions = defineScenario({
  ...ramDeployFtp,
  name: 'dmsquash-options',
  summary: 'rd.live.ram, rd.live.overlay.overlayfs and rd.live.check in one ftp boot',
  boots: [{ name: 'network boot with rd.live.ram, overlayfs and the media check', from: 'network', live: { ramCopy: true, overlay: 'overlayfs', mediaCheck: true }, checks: [liveIsoMountedFrom('ram'), liveRootCopiedToRam(), mediaCheckPassed()] }],
});
/**
 * A user's scenario with no checks of its own, on a copy that is not the ISO although the publisher
 * wrote every byte of it (corrupted-iso's 8 inverted bytes, full length): the boot logs in, and
 * only the proof of delivery the harness adds can tell.
 */
const corruptedUnchecked = defineScenario({
  ...corruptedIso,
  name: 'corrupted-iso-unchecked',
  summary: "corrupted-iso's copy in a scenario without checks of its own",
  boots: [{ name: 'network boot into RAM with a corrupted copy, no checks', from: 'network', checks: [] }],
});
/** dmsquash's persistent overlayfs store, its first boot and the one that finds the marker again (the main job runs all four). */
const overlayStorePersists = defineScenario({ ...overlayStoreOverlayfs, boots: [overlayStoreOverlayfs.boots[0]!, overlayStoreOverlayfs.boots[2]!] });
const gptLifecycle = defineScenario({ ...persistentLifecycle, name: 'persistent-gpt', boots: [persistentLifecycle.boots[0]!, persistentLifecycle.boots[2]!] });
let results: Map<string, ScenarioResult>;
let runOutDir: string;
let before: Leftovers;
removeOnSuccess(() => runOutDir, 'boot test artifacts');

beforeAll(async () => {
  // The BIOS (MBR hybrid) fixture for every scenario of the main job on SeaBIOS + pxelinux, and
  // the EFI hybrid fixture for UEFI (OVMF + GRUB): the capabilities UEFI adds, each proven once.
  const [iso, efiIso] = [await fixtureIsoPath({ progress: false }), await fixtureIsoPath({ progress: false, hybrid: 'efi' })];
  const dmIso = await fixtureIsoPath({ progress: false, hybrid: 'efi', module: 'dmsquash' });

  const dmCa = await fixtureTlsAuthority(dmIso);
  expect(dmCa, 'the dmsquash fixture keeps the test CA its image trusts beside the ISO').toBeDefined();
  const dmTlsAuthority = await checkTlsAuthority(dmCa!.certPath, dmCa!.keyPath);
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-boot-test-'));
  runOutDir = outDir;
  before = await leftovers();
  const knownIssues = await loadKnownIssues(join(import.meta.dirname, '..', '..', 'known-issues.json'));
  const bios = [ext4Deploy, aoeBoot, ramDeployHttp, httpsViaLpxelinux, corruptedUnchecked, stalledIso, broken, xzCompressedIso, ramdiskTooSmall, truncatedIso, httpsUntrustedCertificate, netbootKernelMissing, dollyDeploy];
  const jobs = [
    { scenario: diskDeployNotPersistent, firmware: 'bios' as const, isoPath: iso },
    // aarch64 under TCG, slower than x86_64: the RAM deploy, and a kernel missing from GRUB's TFTP root.
    ...(armIso ? [{ scenario: ramDeployHttp, firmware: 'uefi' as const, isoPath: armIso, suffix: 'aarch64' }] : []),
    // Longest first, so that the two lanes end close together. Secure Boot: the persistent deploy
    // onto the GPT and the standalone boot of that disk through the ISO's shim and signed GRUB.
    { scenario: gptLifecycle, firmware: 'uefi-secure' as const, isoPath: efiIso, suffix: true },
    // dmsquash's persistence: an overlay store on a disk the harness made; and a store that is not there.
    { scenario: overlayStorePersists, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash' },
    { scenario: overlayStoreMissing, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash' },
    ...bios.map((scenario) => ({ scenario, firmware: 'bios' as const, isoPath: iso })),
    { scenario: netbootKernelMissing, firmware: 'uefi' as const, isoPath: efiIso, suffix: true },
    ...(armIso ? [{ scenario: netbootKernelMissing, firmware: 'uefi' as const, isoPath: armIso, suffix: 'aarch64' }] : []),
    // Secure Boot: a kernel altered on its way refused by the ISO's shim chain (gptLifecycle above boots through it).
    { scenario: secureBootKernelAltered, firmware: 'uefi-secure' as const, isoPath: efiIso, suffix: true },
    // iPXE: the NIC's own iPXE (OVMF's EFI ROM) runs a script that loads kernel and initrd over HTTP.
    { scenario: ramDeployHttp, firmware: 'uefi' as const, isoPath: efiIso, suffix: 'ipxe-uefi', netboot: 'ipxe' as const },
    // UEFI HTTP boot: OVMF's own HTTP client, no TFTP.
    { scenario: ramDeployHttp, firmware: 'uefi' as const, isoPath: efiIso, suffix: 'http-boot', netboot: 'http-boot' as const },
    // The RAM deploy over http, from a server that first says "not ready, ask again" (livenet's curl retries).
    { scenario: isoNotReadyAtFirst, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash' },
    { scenario: dmsquashOptions, firmware: 'uefi' as const, isoPath: dmIso, suffix: 'dmsquash-uefi' },
    { scenario: mediaCheckCorrupted, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash' },
    { scenario: persistentExt4, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash' },
    // https verified by livenet's curl against the CA bundle of its initrd, which trusts the fixture's test CA.
    { scenario: ramDeployHttpsVerified, firmware: 'bios' as const, isoPath: dmIso, suffix: 'dmsquash', tlsAuthority: dmTlsAuthority },
  ];
  const reporters = [jsonReporter(outDir, { iso }), junitReporter(outDir), htmlReporter(outDir, { iso }), conformanceReporter(outDir)];
  const list = await runBootJobs(jobs, { outDir, knownIssues, lanes: 2, reporters });
  results = new Map(list.map((r) => [r.name, r]));
  console.log(`boot test artifacts: ${outDir}`);
  // A guard against a pool that hangs, not a speed check: the pool took 33 min on one 2-core
  // machine and about twice as long per boot on another whose host was slower (2026-12-05).
}, 4_500_000);

afterAll(async () => {
  expect(await newLeftovers(before), 'no QEMU, relay or temp dir may be left behind').toEqual({ processes: [], tempDirs: [] });
});

const result = (name: string) => {
  const r = results.get(name);
  expect(r, `scenario ${name} ran`).toBeDefined();
  return r!;
};
const check = (boot: BootResult, name: RegExp) => {
  const found = boot.checks.find((c) => name.test(c.name));
  expect(found, `check ${name} in boot "${boot.name}"`).toBeDefined();
  return found!;
};

describe("dmsquash's overlay store (rd.overlay=DEVICE:PATH)", () => {
  it('overlay-store-overlayfs: the upper folder on the disk the harness made takes the writes, and a second network boot finds the marker', () => {
    const r = result('overlay-store-overlayfs@dmsquash');
    expect(r.verdict, r.reason).toBe('PASS');
    const [first, again] = r.boots;
    const store = check(first!, /writable layer is the overlay store/);
    expect(store.detail).toMatch(/upperdir \/run\/overlayfs -> \/run\/initramfs\/overlayfs\/LiveOS\/overlayfs, on device (\d+:\d+); the store LABEL=pxe-overlay:\/LiveOS\/overlayfs is \/dev\/vda \(\1\)$/);
    expect(first!.kernelArgs).toContain('rd.overlay=LABEL=pxe-overlay:/LiveOS/overlayfs');
    expect(check(again!, /marker "stored" from an earlier boot is still there/).ok).toBe(true);
  });

  it('overlay-store-missing: the "Press [Enter]" prompt is named as soon as it shows, not at the silence limit', () => {
    const r = result('overlay-store-missing@dmsquash');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.reason).toMatch(/^failed as expected .* waits at the console for Enter, for ever .*Press \[Enter\] to continue/);
    expect(boot!.phase).toBe('fetch-root');
    // decidedAtMs is wall-clock time, the timeline counts from the boot's start.
    expect(boot!.decidedAtMs! - Date.parse(boot!.startedAt!) - boot!.timeline['fetch-root']!).toBeLessThan(60_000);
  });
});

describe('RAM deploy', () => {
  it.each([ramDeployHttp, httpsViaLpxelinux])('$name: PASS with one complete transfer, a login prompt and / in RAM', (scenario) => {
    const r = result(scenario.name);
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    const fetches = boot!.transfers.filter((t) => t.method !== 'HEAD');
    expect(fetches).toHaveLength(1);
    expect(fetches[0]).toMatchObject({ protocol: scenario.publish.protocol, complete: true });
    expect(check(boot!, /mounted from the live module's copy in RAM/).detail).toMatch(/\/dev\/ram0 \/run\/overlay\/live/);
    // The proof of delivery is the guest's own copy, compared byte for byte with the published file.
    const image = check(boot!, /copy of the ISO in RAM holds the published ISO byte for byte/);
    expect(image.ok, image.detail).toBe(true);
    expect(image.detail).toMatch(/^delivered, as the guest reads it: md5 [0-9a-f]{32}(,[0-9a-f]{32})* on both( \(\d parts hashed side by side\))?: brd RAM disk \/dev\/ram0 of \d+ KiB/);
    expect(boot!.timeline.login).toBeGreaterThan(boot!.timeline.kernel!);
  });

  it('https with lpxelinux: the boot entry carries rd.kiwi.live.curl_options=--insecure, the ISO came over TLS, kernel and initrd over http', () => {
    const boot = result('ram-deploy-https-lpxelinux').boots[0]!;
    expect(boot.kernelArgs).toContain('rd.kiwi.live.curl_options=--insecure');
    expect(boot.kernelArgs.find((a) => a.startsWith('root=live:'))).toMatch(/^root=live:https:\/\/10\.0\.2\.100\/image\//);
    expect(boot.transfers.filter((t) => t.method === 'TLS')).toEqual([]);
    expect(boot.bootFileTransfers.filter((t) => t.complete).map((t) => t.path).sort()).toEqual(['/boot/initrd', '/boot/linux']);
    expect(boot.timeline.pxelinux).toBeGreaterThan(0);
  });

  it('ram-deploy-http: the guest reaches the forwarded publisher, and not an unforwarded port of the host loopback', () => {
    const boot = result('ram-deploy-http').boots[0]!;
    expect(check(boot, /reaches the forwarded publisher and nothing else/).detail).toMatch(
      /curl exit [1-9]\d*, canary saw 0 connection\(s\); forwarded publisher: HTTP 200/,
    );
  });

  it('ramdisk_size too small for the ISO: fails with an incomplete transfer, as the scenario expects', () => {
    const r = result('ramdisk-too-small');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.reason).toMatch(/^failed as expected .*transfer failed: http GET \S+ -> 200 INCOMPLETE/);
    expect(boot!.transfers[0]!.complete).toBe(false);
    expect(boot!.transfers[0]!.bytesSent).toBeLessThan(boot!.transfers[0]!.sizeBytes!);
  });
});

describe('iPXE', () => {
  it('ram-deploy-http@ipxe-uefi: PASS, the script served as the DHCP boot file, kernel and initrd from the boot-file server', () => {
    const r = result('ram-deploy-http@ipxe-uefi');
    expect(r.verdict, r.reason).toBe('PASS');
    const boot = r.boots[0]!;
    expect(boot.entryFile).toBe('boot.ipxe');
    expect(boot.bootFileTransfers.filter((t) => t.complete).map((t) => t.path).sort()).toEqual(['/boot/initrd', '/boot/linux']);
    expect(check(boot, /copy of the ISO in RAM holds the published ISO byte for byte/).ok).toBe(true);
    // The kernel ran the script's command line: the path taken shows in the guest.
    expect(boot.kernelArgs.join(' ')).toContain('root=live:http://10.0.2.100/image/');
  });
});

describe('UEFI HTTP boot', () => {
  it("ram-deploy-http@http-boot: PASS; OVMF's own HTTP client fetched GRUB from the boot-file server, GRUB its config, kernel and initrd", () => {
    const r = result('ram-deploy-http@http-boot');
    expect(r.verdict, r.reason).toBe('PASS');
    const boot = r.boots[0]!;
    const gets = boot.bootFileTransfers.filter((t) => t.method === 'GET' && t.complete);
    expect(gets.map((t) => t.path)).toEqual(['/boot/grub/grubx64.efi', '/boot/grub/grub.cfg', '/boot/linux', '/boot/initrd']);
    expect(gets[0]!.userAgent).toMatch(/^UefiHttpBoot\//);
    expect(boot.timeline['http-boot']).toBeLessThan(boot.timeline.grub!);
    expect(boot.components?.map((c) => c.id)).toEqual(['uefi', 'uefi-http-boot']);
  });
});

describe('the proof of delivery rests on the guest', () => {
  it("a corrupted copy of full length, in a scenario without checks: the log calls it complete, the guest's proof the harness added FAILs it", () => {
    const r = result('corrupted-iso-unchecked');
    const [boot] = r.boots;
    expect(r.verdict, r.reason).toBe('FAIL');
    expect(r.reason).not.toMatch(/delivered, as the guest/);
    expect(boot!.transfers.filter((t) => t.method !== 'HEAD')).toEqual([expect.objectContaining({ complete: true, bytesSent: boot!.transfers[0]!.sizeBytes })]);
    expect(boot!.delivery).toEqual({ by: 'guest', detail: expect.stringMatching(/^delivered: the device the guest mounted the ISO from/) });
    expect(boot!.phase).toBe('login');
    expect(r.reason).toMatch(/NOT delivered as published: .*4 MiB chunks that differ: bytes 0-4194303/);
  });

  it('a boot whose checks prove no delivery gets the proof added, and its PASS says the guest proved it', () => {
    const boot = result('dmsquash-options@dmsquash-uefi').boots[0]!;
    expect(boot.delivery).toMatchObject({ by: 'guest' });
    const proof = check(boot, /^delivered: the device the guest mounted the ISO from/);
    expect(proof.ok, proof.detail).toBe(true);
    expect(proof.detail).toMatch(/^delivered, as the guest reads it: md5 [0-9a-f]{32}(,[0-9a-f]{32})* on both( \(\d parts hashed side by side\))?: \/dev\/loop\d+ \(the ISO's mount\)/);
  });
});

describe('publisher faults', () => {
  it('a truncated ISO never passes: FAIL in the fetch naming the short transfer, as the scenario expects', () => {
    const r = result('truncated-iso');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.phase).toBe('fetch-root');
    expect(boot!.reason).toMatch(/^failed as expected .* in phase fetch-root: transfer failed: http GET \S+ -> 200 INCOMPLETE, 64\.0 MiB of/);
    expect(boot!.transfers[0]!.bytesSent).toBe(64 * 1024 * 1024);
  });

  it('https with an untrusted certificate FAILs in the fetch naming the refused handshake, as the scenario expects', () => {
    const r = result('https-untrusted-certificate');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.phase).toBe('fetch-root');
    expect(boot!.kernelArgs.join(' ')).not.toMatch(/curl_options/);
    expect(boot!.transfers.filter((t) => t.method !== 'HEAD').map((t) => t.method)).toEqual(['TLS']);
  });

  it('https-untrusted-certificate asked for debug evidence: curl\'s own error, from the initrd\'s emergency shell, in module-debug.log', async () => {
    const boot = result('https-untrusted-certificate').boots[0]!;
    expect(boot.kernelArgs).toEqual(expect.arrayContaining(['rd.kiwi.debug', 'rd.shell', 'SYSTEMD_SULOGIN_FORCE=1']));
    expect(boot.reason).toMatch(/the live module's debug evidence \(.*\) is in \S+module-debug\.log; curl said: curl: \(\d+\)/);
    const log = await readFile(join(boot.artifactsDir, 'module-debug.log'), 'utf8');
    expect(log).toMatch(/===== \/tmp\/fetch\.info/);
    expect(log).toMatch(/===== \/run\/initramfs\/log\/boot\.kiwi[\s\S]*curl/);
  });

  it('a stalled transfer is named as a stall, in the fetch', () => {
    const r = result('stalled-iso');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.phase).toBe('fetch-root');
    expect(boot!.reason).toMatch(/transfer stalled: ftp RETR \S+ sent no byte for \d+ s after 32\.0 MiB of/);
  });
});

describe('a broken setup', () => {
  it('FAILs naming the failed transfer, long before the boot timeout', () => {
    const r = result('broken-url');
    expect(r.verdict).toBe('FAIL');
    expect(r.reason).toMatch(/transfer failed: http GET \/image\/missing\.iso -> 404/);
    // Judged from the publisher's log and the guest's reaction, not by running into the deadline.
    expect(r.reason).not.toMatch(/within \d+ s/);
    expect(r.durationMs).toBeLessThan(BROKEN_TIMEOUT_MS / 2);
  });

  it("is booted once more with the live module's debug log on (--debug-rerun, the default): the verdict stays, the module's trace is kept beside it", async () => {
    const [boot] = result('broken-url').boots;
    expect(boot!.verdict).toBe('FAIL');
    expect(boot!.debugRerun).toMatchObject({ artifactsDir: `${boot!.artifactsDir}-debug`, verdict: 'FAIL' });
    expect(boot!.reason).toContain(`; booted again with the live module's debug log on (${boot!.artifactsDir}-debug): the live module's debug evidence`);
    // kiwi-live's own trace of the failed fetch, taken from dracut's emergency shell of the rerun.
    const log = await readFile(join(`${boot!.artifactsDir}-debug`, 'module-debug.log'), 'utf8');
    expect(log).toMatch(/===== \/run\/initramfs\/log\/boot\.kiwi/);
    expect(log).toMatch(/missing\.iso/);
  });
});

describe('persistent live system on a disk', () => {
  it('cowfs=ext4: the deploy makes an ext4 cow partition and writes to it', () => {
    const r = result('persistent-ext4');
    expect(r.verdict, r.reason).toBe('PASS');
    expect(r.boots[0]!.disks[0]!.partitions.filter((p) => p.label === 'cow').map((p) => p.filesystem)).toEqual(['ext4']);
    expect(check(r.boots[0]!, /writable layer is on \/dev\/sda \(ext4, label cow\)/).ok).toBe(true);
  });

  it('without rd.live.overlay.persistent: deployed to the disk, but data does not survive', () => {
    const r = result('disk-deploy-not-persistent');
    expect(r.verdict, r.reason).toBe('PASS');
    expect(r.boots[0]!.disks[0]!.isoVolumeId).toBe('CDROM');
    expect(r.boots[0]!.disks[0]!.partitions.some((p) => p.label === 'cow')).toBe(false);
    expect(check(r.boots[0]!, /\/dev\/sda holds the published ISO byte for byte/).ok).toBe(true);
    expect(check(r.boots[1]!, /marker "volatile" is gone/).ok).toBe(true);
  });
});

describe('aarch64 (AAVMF + GRUB for arm64 EFI) on the aarch64 fixture', () => {
  if (!armIso) console.warn(`SKIPPED: ${NO_ARM_FIXTURE}`);
  it.skipIf(!armIso)('ram-deploy-http@aarch64: read as aarch64 from the ISO, booted by qemu-system-aarch64 under AAVMF, the console on ttyAMA0, the guest holds the ISO byte for byte', () => {
    const r = result('ram-deploy-http@aarch64');
    expect(r.verdict, r.reason).toBe('PASS');
    expect([r.architecture, r.firmware]).toEqual(['aarch64', 'uefi']);
    const [boot] = r.boots;
    expect(boot!.kernelArgs.slice(0, 3)).toEqual(['ip=dhcp', expect.stringMatching(/^root=live:http:\/\/10\.0\.2\.100\/image\//), 'console=ttyAMA0']);
    expect(boot!.components?.find((c) => c.part === 'firmware')?.packages.map((p) => p.name)).toContain('qemu-efi-aarch64');
    expect(boot!.timeline.grub).toBeGreaterThan(0);
    expect(check(boot!, /byte for byte/).ok).toBe(true);
    expect(check(boot!, /the path taken: the guest's \/proc\/cmdline/).ok).toBe(true);
  });
});

describe('UEFI (OVMF + GRUB for EFI) on the EFI hybrid fixture', () => {
  it('a kernel missing from the TFTP root FAILs in the loader phase seconds after GRUB says so, naming it', () => {
    for (const name of ['netboot-kernel-missing', 'netboot-kernel-missing@uefi', ...(armIso ? ['netboot-kernel-missing@aarch64'] : [])]) {
      const r = result(name);
      expect(r.verdict, r.reason).toBe('PASS');
      const [boot] = r.boots;
      expect(['pxelinux', 'grub']).toContain(boot!.phase);
      expect(boot!.reason).toMatch(/boot\/linux/);
      const loaderAtMs = boot!.timeline.grub ?? boot!.timeline.pxelinux!;
      expect(boot!.durationMs - loaderAtMs).toBeLessThan(30_000);
    }
  });

  it("the persistent deploy onto the EFI hybrid's GPT (fdisk complains, the cow is sda3), then the disk alone through its own EFI loader, Secure Boot on", () => {
    const r = result('persistent-gpt@uefi-secure');
    expect(r.boots.map((b) => b.verdict), r.reason).toEqual(['PASS', 'PASS']);
    const [a, c] = r.boots;
    expect(a!.disks[0]!.partitionTable).toBe('gpt');
    expect(a!.disks[0]!.partitions.map((p) => [p.number, p.filesystem, p.label])).toEqual(expect.arrayContaining([[3, 'xfs', 'cow']]));
    expect(a!.warnings.join('\n')).toMatch(/Value out of range\./);
    expect(check(a!, /\/dev\/sda holds the published ISO byte for byte/).ok).toBe(true);
    // c: no network device, no netboot loader: OVMF boots the disk's EFI system partition.
    expect(c!.kernelArgs).toEqual([]);
    expect(c!.timeline.grub).toBeUndefined();
    expect(check(c!, /mounted from \/dev\/sda/).ok).toBe(true);
    expect(check(c!, /marker "a" from an earlier boot/).ok).toBe(true);
    // The disk's own chain (shim, the ISO's GRUB) booted with Secure Boot on, as the guest reads it.
    for (const boot of [a!, c!]) expect(check(boot, /^Secure Boot was on/).ok).toBe(true);
  });
});

describe('Secure Boot (OVMF with Microsoft keys, the ISO\'s own shim)', () => {
  it("persistent-gpt@uefi-secure's network boot: shim from the ISO, Debian's signed netboot GRUB, the kernel verified; Secure Boot on in the guest", () => {
    const r = result('persistent-gpt@uefi-secure');
    expect(r.verdict, r.reason).toBe('PASS');
    const boot = r.boots[0]!;
    expect(boot.entryFile).toBe('grub.cfg');
    expect(boot.timeline.grub).toBeGreaterThan(0);
    expect(check(boot, /^Secure Boot was on/).detail).toMatch(/SecureBoot = 1|Secure boot enabled/);
    expect(check(boot, /byte for byte/).ok).toBe(true);
    const loader = boot.components?.find((c) => c.part === 'loader');
    expect(loader?.id).toBe('shim-grub');
    // The versions read from the programs this boot used, as their SBAT declares them.
    expect(loader?.packages[0]).toMatchObject({ name: "shim: the ISO's /EFI/BOOT/bootx64.efi", version: expect.stringMatching(/^shim \S+ \(shim\./) });
    expect(loader?.packages[1]?.version).toMatch(/^grub2 \S+ \(grub\./);
  });

  it('secure-boot-kernel-altered@uefi-secure: the kernel with one byte flipped is refused in the loader phase, within seconds of the message', () => {
    const r = result('secure-boot-kernel-altered@uefi-secure');
    expect(r.verdict, r.reason).toBe('PASS');
    const boot = r.boots[0]!;
    expect(boot.phase).toBe('grub');
    expect(boot.reason).toMatch(/Secure Boot refused a program of the boot chain \(its signature did not verify\): "error: bad shim signature\."/);
    expect(boot.durationMs - boot.timeline.grub!).toBeLessThan(30_000);
  });
});

describe('the conformance scenarios of the CI tier (kiwi-live, BIOS fixture)', () => {
  it('aoe-boot: the guest mounts the ISO from the AoE device vblade exports in the harness\'s network namespace, byte for byte', () => {
    const r = result('aoe-boot');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.kernelArgs).toContain('root=live:AOEINTERFACE=e0.1');
    expect(check(boot!, /mounted from \/dev\/etherd\/e0\.1/).detail).toMatch(/^iso9660 mounts: \/dev\/etherd\/e0\.1 /);
    expect(check(boot!, /holds the published ISO byte for byte/).detail).toMatch(/^delivered, as the guest reads it: md5 [0-9a-f]{32}(,[0-9a-f]{32})* on both( \(\d parts hashed side by side\))?: \/dev\/etherd\/e0\.1/);
  });

  it('xz-compressed-iso: the .xz copy is fetched, and the known kiwi-live defect (no xz in its initrd) is named with the initrd\'s own words', () => {
    const r = result('xz-compressed-iso');
    expect(r.verdict, r.reason).toBe('XFAIL');
    expect(r.reason).toMatch(/module-setup\.sh#L29.*GET \/image\/\S+\.iso\.xz .*the initrd lacks a tool: .*xz: command not found/);
  });

  it('dolly-deploy is SKIPPED with the reason: no real dolly server or client from Debian or npm', () => {
    const r = result('dolly-deploy');
    expect(r.verdict).toBe('SKIP');
    expect(r.reason).toMatch(/dolly .* packaged by neither Debian nor npm/);
  });
});

describe('dmsquash-live + livenet on its own fixture', () => {
  it('iso-not-ready-at-first@dmsquash: PASS; livenet asked again after the 503; the ISO is a file in the initramfs on a loop device, / on the device-mapper snapshot, byte for byte', () => {
    const r = result('iso-not-ready-at-first@dmsquash');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.transfers.map((t) => [t.status, t.complete, t.askAgain ?? false])).toEqual([[503, false, true], [200, true, false]]);
    expect(boot!.kernelArgs.join(' ')).not.toMatch(/rd\.kiwi/);
    expect(check(boot!, /mounted from the live module's copy in RAM/).detail).toMatch(/root: ext4 \/dev\/mapper\/live-rw .*loop device \/dev\/loop\d+ backed by \/tmp\/\S+\.iso/);
    expect(check(boot!, /copy of the ISO in RAM holds the published ISO/).detail).toMatch(/^delivered, as the guest reads it: md5 [0-9a-f]{32}(,[0-9a-f]{32})* on both( \(\d parts hashed side by side\))?: loop device/);
  });

  it('ram-deploy-https-verified@dmsquash: PASS with no insecure option: livenet\'s curl verified a certificate issued by the CA the fixture trusts', () => {
    const r = result('ram-deploy-https-verified@dmsquash');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.kernelArgs).toEqual(expect.arrayContaining([expect.stringMatching(/^root=live:https:\/\/10\.0\.2\.100\/image\/\S+\.iso$/)]));
    expect(boot!.kernelArgs.join(' ')).not.toMatch(/insecure|curl_options/);
    expect(boot!.transfers.filter((t) => t.method === 'GET').map((t) => [t.protocol, t.status, t.complete])).toEqual([['https', 200, true]]);
    expect(check(boot!, /copy of the ISO in RAM holds the published ISO/).detail).toMatch(/^delivered, as the guest reads it: md5 [0-9a-f]{32}(,[0-9a-f]{32})* on both( \(\d parts hashed side by side\))?/);
  });

  it('rd.live.ram, rd.live.overlay.overlayfs and rd.live.check: each proven from inside the guest', () => {
    const r = result('dmsquash-options@dmsquash-uefi');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    // Under OVMF, GRUB (its EFI netboot image) loaded the served entry over TFTP; no pxelinux.
    expect(boot!.timeline.grub).toBeGreaterThan(0);
    expect(boot!.timeline.pxelinux).toBeUndefined();
    expect(boot!.kernelArgs).toContain('console=ttyS0');
    // The fixture's dracut is 112: overlayfs is asked for with the name it has since 110, rd.overlay.
    expect(boot!.kernelArgs).toEqual(expect.arrayContaining(['rd.live.ram', 'rd.overlay', 'rd.live.check']));
    expect(check(boot!, /mounted from the live module's copy in RAM/).detail).toMatch(/root: overlay /);
    // losetup names the copy as the initramfs saw it (/initramfs/squashed.img once /run has moved).
    expect(check(boot!, /copied into RAM/).detail).toMatch(/^loop device over the copy: \/dev\/loop\d+ \S*\/squashed\.img; sha256 ([0-9a-f]{64}) in the guest, \1 for the ISO's squashfs/);
    expect(check(boot!, /media check ran and passed/).detail).toMatch(/checkisomd5 at .*result is: PASS/);
  });

  it('a corrupted ISO FAILs on the media check\'s own line, within seconds of it', () => {
    const r = result('media-check-corrupted@dmsquash');
    expect(r.verdict, r.reason).toBe('PASS');
    const [boot] = r.boots;
    expect(boot!.reason).toMatch(/^failed as expected .*(Media check failed|result is: FAIL)/);
    // dmsquash would sleep 12 hours after its message; the harness ends the boot on the line itself.
    expect(boot!.durationMs).toBeLessThan(300_000);
  });

  it('a persistent scenario is SKIPPED on dmsquash with the reason, nothing booted', () => {
    const r = result('persistent-ext4@dmsquash');
    expect(r.verdict).toBe('SKIP');
    expect(r.reason).toMatch(/^does not apply: dmsquash boots this ISO, and dmsquash "does not support the automatic creation of a write partition/);
    expect(r.boots).toEqual([]);
  });
});

describe('reports of the run', () => {
  it('junit.xml loads in a JUnit parser: a testcase per boot, the broken setup as a failure, the known issue as skipped', async () => {
    const parsed = (await parse(await readFile(join(runOutDir, 'junit.xml'), 'utf8'))) as {
      tests?: number;
      testsuite?: { testcase?: { classname?: string; name?: string; failure?: unknown[]; skipped?: unknown[] }[] }[];
    };
    const cases = parsed.testsuite![0]!.testcase!;
    const of = (scenario: string) => cases.filter((c) => c.classname === scenario);
    // Every boot that ran, and one testcase for a scenario that booted nothing (a SKIP).
    expect(parsed.tests).toBe([...results.values()].reduce((n, r) => n + Math.max(1, r.boots.length), 0));
    expect(of('broken-url').filter((c) => c.failure)).toHaveLength(1);
    expect(of('xz-compressed-iso').map((c) => Boolean(c.skipped))).toEqual([true]);
    expect(of('disk-deploy-not-persistent').map((c) => [Boolean(c.failure), Boolean(c.skipped)])).toEqual([[false, false], [false, false]]);
    expect(of('disk-deploy-not-persistent')[1]!.name).toMatch(/^2\. network boot again: the data is gone/);
    expect(of('ram-deploy-http').map((c) => c.failure)).toEqual([undefined]);
  });

  it('conformance.md: the seed\'s options with what these boots showed, the rest marked as not run with the reason', async () => {
    const page = await readFile(join(runOutDir, 'conformance.md'), 'utf8');
    expect(page).toMatch(/^\| `root=live:https:\/\/IP\/PATH` \| .* \| https-untrusted-certificate PASS: failed as expected/m);
    expect(page).toMatch(/^\| `rd\.live\.overlay\.persistent, rd\.live\.overlay\.cowfs=` \| .*persistent-ext4 PASS: /m);
    expect(page).toMatch(/^\| `root=live:URL\.xz` \| .* \| xz-compressed-iso XFAIL: boot 1 \([^)]*\): known issue: kiwi-live/m);
    expect(page).toMatch(/^\| `root=live:dolly:\/\/IP\/PATH` \| .* \| dolly-deploy SKIP: does not apply: it publishes the ISO over dolly/m);
    expect(page).toMatch(/^\| `root=live:AOEINTERFACE=e0\.1` \| .* \| aoe-boot PASS: /m);
  });

  it('report.html names every scenario with its verdict and carries the screenshots', async () => {
    const html = await readFile(join(runOutDir, 'report.html'), 'utf8');
    for (const r of results.values()) expect(html).toContain(`id="${r.name}"`);
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('<span class="verdict XFAIL">XFAIL</span> <b>xz-compressed-iso</b>');
  });
});
