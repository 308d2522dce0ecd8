import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoInspection } from '../../harness/engine/inspect-iso.js';
import { publisherUnavailable } from '../../harness/publish/registry.js';
import { KIWI_LIVE_INITRD, tinyLiveIso } from '../helpers/cpio.js';

// inspect as a user runs it, on ISOs with KIWI's layout made by xorriso: the facts, and each
// scenario's outlook from the same rules a run applies.
const root = join(import.meta.dirname, '..', '..');
let dir: string;
const cli = (...args: string[]) => execa(process.execPath, [join(root, 'dist/cli/main.js'), ...args], { reject: false, cwd: dir, timeout: 30_000 });

beforeAll(async () => {
  await execa('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: root });
  dir = await mkdtemp(join(tmpdir(), 'pxe-inspect-'));
}, 120_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('inspect --iso X', () => {
  it('--json: volume id, live module and its file, the initrd\'s tools, no signed chain; SKIPs and known issues with their reasons', async () => {
    const iso = await tinyLiveIso(dir, 'plain', { volumeId: 'MYLIVE' });
    const result = await cli('inspect', '--iso', iso, '--json', '--firmware', 'bios,uefi-secure');
    expect(result.exitCode, result.stderr).toBe(0);
    const facts = JSON.parse(result.stdout) as IsoInspection;
    expect(facts.iso).toMatchObject({ path: iso, volumeId: 'MYLIVE' });
    expect(facts.liveModule.id).toBe('kiwi-live');
    expect(facts.architecture).toEqual({ id: 'x86_64', loaderFolder: '/boot/x86_64/loader' });
    // The tiny ISO's initrd records no dracut version (the real fixtures' say 112-7: a unit test of dracutVersion reads that name).
    expect(facts.dracut).toBeNull();
    expect(facts.boot.signedChain).toBeNull();
    expect(facts.kernel.signedBy).toEqual([]);
    expect(facts.initrdTools.find((t) => t.tool === 'xz')).toMatchObject({ path: null });
    const outlook = (scenario: string, firmware: string) => facts.scenarios.find((s) => s.scenario === scenario && s.firmware === firmware);
    // The run's own rules: Secure Boot needs a shim chain; a kiwi-live defect is a known issue; dolly cannot be had.
    expect(outlook('ram-deploy-http', 'uefi-secure')).toMatchObject({ outlook: 'SKIP', reason: expect.stringMatching(/the ISO carries no signed boot chain/) });
    expect(outlook('ram-deploy-http', 'bios')).toEqual({ scenario: 'ram-deploy-http', firmware: 'bios', outlook: 'boots' });
    expect(outlook('http-redirect', 'bios')).toMatchObject({ outlook: 'known issue', reason: expect.stringContaining('kiwi-live-lib.sh#L') });
    expect(outlook('dolly-deploy', 'bios')).toMatchObject({ outlook: 'SKIP' });
    // Its initrd has no aoe driver: its kernel could not see an AoE target.
    expect(outlook('aoe-boot', 'bios')).toMatchObject({ outlook: 'SKIP', reason: expect.stringMatching(/over aoe, which the guest reaches through the kernel's aoe driver, and this ISO's initrd carries none/) });
  });

  it('an initrd with the aoe driver (a module file) lets the AoE scenario boot', async () => {
    const iso = await tinyLiveIso(dir, 'with-aoe', { initrd: { ...KIWI_LIVE_INITRD, 'usr/lib/modules/7.2/kernel/drivers/block/aoe/aoe.ko.xz': 'm' } });
    const facts = JSON.parse((await cli('inspect', '--iso', iso, '--json', '--firmware', 'bios', '--scenario', 'aoe-boot')).stdout) as IsoInspection;
    // Where this host cannot export over AoE (no root), that is the reason instead: never the driver.
    const hostCannot = publisherUnavailable('aoe');
    expect(facts.scenarios).toEqual([hostCannot ? { scenario: 'aoe-boot', firmware: 'bios', outlook: 'SKIP', reason: `it publishes the ISO over aoe, and ${hostCannot}` } : { scenario: 'aoe-boot', firmware: 'bios', outlook: 'boots' }]);
  });

  it('as text: the facts, then each scenario that will not simply boot', async () => {
    const iso = await tinyLiveIso(dir, 'signed', { efiBoot: { 'bootx64.efi': 'SHIM', 'grubx64.efi': 'GRUB' } });
    const result = await cli('inspect', '--iso', iso, '--scenario', 'ram-deploy-http', '--scenario', 'secure-boot-kernel-altered');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('signed chain /EFI/BOOT/bootx64.efi + /EFI/BOOT/grubx64.efi');
    expect(result.stdout).toContain('CA bundle      none in the initrd');
    expect(result.stdout).toContain('dracut         version not recorded in the initrd');
    expect(result.stdout).toContain('KIWI           the preparer does not name KIWI');
    expect(result.stdout).toContain('architecture   x86_64 (kernel and initrd in /boot/x86_64/loader)');
    expect(result.stdout).toMatch(/^ {2}SKIP {8}secure-boot-kernel-altered@bios: it proves that Secure Boot refuses/m);
    expect(result.stdout).not.toMatch(/secure-boot-kernel-altered@uefi-secure/);
  });

  it("an aarch64 ISO: its Secure Boot scenario SKIPs under its UEFI with aarch64's hint (no Secure Boot firmware), not x86_64's --firmware uefi-secure", async () => {
    const iso = await tinyLiveIso(dir, 'arm', { loaderFolders: ['aarch64'], efiBoot: { 'bootaa64.efi': 'GRUB' } });
    const result = await cli('inspect', '--iso', iso, '--scenario', 'secure-boot-kernel-altered');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('architecture   aarch64 (kernel and initrd in /boot/aarch64/loader)');
    expect(result.stdout).toMatch(/^ {2}SKIP {8}secure-boot-kernel-altered@uefi: .*does not enforce Secure Boot \(the harness has no Secure Boot firmware for aarch64\)/m);
    expect(result.stdout).not.toContain('--firmware uefi-secure');
  });

  it('refuses a missing --iso and a file that is no ISO, exit 2', async () => {
    expect((await cli('inspect')).stderr).toContain('inspect needs --iso');
    const notIso = await cli('inspect', '--iso', join(root, 'package.json'));
    expect(notIso.exitCode).toBe(2);
    expect(notIso.stderr).toContain('is not an ISO 9660 image');
  });
});
