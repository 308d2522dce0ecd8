import { describe, expect, it } from 'vitest';
import { ConsoleWaitError } from '../../harness/console/wait.js';
import { FIRMWARES, firmwareById } from '../../harness/firmware/index.js';
import { LIVE_MODULES, liveModuleById, liveModuleIds } from '../../harness/live/index.js';
import { ARCHITECTURES, architectureById, DEFAULT_ARCHITECTURE } from '../../harness/arch/index.js';
import { dmsquash } from '../../harness/live/dmsquash.js';
import { describeTransfer } from '../../harness/publish/transfer-log.js';
import { MachineBuilder } from '../../harness/qemu/machine.js';
import { insecureTlsHint } from '../../harness/engine/boot-stages.js';
import { NETBOOT_LOADERS, netbootFamilyById, netbootLoaderFor, netbootPathUnsupported } from '../../harness/netboot/index.js';
import { PUBLISHERS } from '../../harness/publish/registry.js';
import { planBoot } from '../../harness/engine/boot-plan.js';
import type { BootResult } from '../../harness/scenario/result.js';
import { applyExpectedFailure, loaderLostBootFile, retryable, verdictOf } from '../../harness/engine/verdict-rules.js';
import { seabios } from '../../harness/firmware/seabios.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';

const plan = (from: 'network' | 'disk', loader?: 'tftp' | 'http', accel: 'tcg' | 'kvm' = 'tcg') =>
  planBoot({}, { name: 'b', from, checks: [], ...(loader ? { loader } : {}), live: { system: '/dev/sda' } }, { firmware: seabios, arch: DEFAULT_ARCHITECTURE, liveModule: kiwiLive, source: { kind: 'url', url: 'http://10.0.2.100/image/x.iso' }, accel });

describe('registries: one entry per firmware, loader, live module and protocol', () => {
  it('know BIOS and UEFI and refuse what they do not know, naming the choices', () => {
    expect(Object.keys(FIRMWARES)).toEqual(['bios', 'uefi', 'uefi-secure']);
    expect(Object.keys(LIVE_MODULES)).toEqual(['kiwi-live', 'dmsquash']);
    expect(Object.keys(PUBLISHERS).sort()).toEqual(['aoe', 'ftp', 'http', 'https']);
    expect(NETBOOT_LOADERS.map((l) => `${l.firmware}/${l.transport}:${l.id}`)).toEqual([
      'bios/tftp:pxelinux', 'bios/http:lpxelinux-http', 'uefi/tftp:grub-efi', 'uefi/http:grub-efi-http', 'bios/http:ipxe-bios', 'uefi/http:ipxe-uefi', 'uefi/http:uefi-http-boot',
      'uefi-secure/tftp:shim-grub',
    ]);
    // A run's netboot path picks the family; a boot's transport picks within it where the family has both.
    expect(netbootLoaderFor('bios', 'tftp').id).toBe('pxelinux');
    expect(netbootLoaderFor('uefi', 'tftp', 'ipxe').id).toBe('ipxe-uefi');
    expect(netbootLoaderFor('bios', 'http', 'ipxe').id).toBe('ipxe-bios');
    expect(() => netbootFamilyById('pxelinux')).toThrow(/unknown netboot path "pxelinux"/);
    const unsigned = { partitionTable: 'gpt', efiSystemPartition: true } as const;
    expect(netbootPathUnsupported('bios', 'http-boot', unsigned)).toBe('its network boots take the http-boot path (--netboot http-boot), which boots under uefi only, not under bios');
    expect(netbootPathUnsupported('uefi', 'http-boot', unsigned)).toBeUndefined();
    // Secure Boot's loader boots the ISO's own shim: an ISO without one SKIPs, naming what it lacks.
    expect(netbootPathUnsupported('uefi-secure', 'pxe', unsigned)).toMatch(/^its network boots run with Secure Boot on, and the ISO carries no signed boot chain \(no shim/);
    const signed = { ...unsigned, signedChain: { shim: '/EFI/BOOT/bootx64.efi', loader: '/EFI/BOOT/grubx64.efi' } };
    expect(netbootPathUnsupported('uefi-secure', 'pxe', signed, ['tftp'])).toBeUndefined();
    // A transport the path's loader lacks under this firmware: SKIPPED, saying why (measured on a real boot).
    expect(netbootPathUnsupported('uefi-secure', 'pxe', signed, ['tftp', 'http'])).toBe(
      "its network boots load kernel and initrd over http, which the pxe path under uefi-secure cannot (shim-grub: kernel and initrd over TFTP only: a signed GRUB loads no module under Secure Boot, and Debian's signed netboot GRUB has no HTTP built in)",
    );
    expect(netbootPathUnsupported('uefi', 'pxe', unsigned, ['http'])).toBeUndefined();
    const error = (() => {
      try {
        firmwareById('coreboot');
      } catch (e) {
        return e as { message: string; kind: string; context: { fix?: string } };
      }
    })();
    expect(error?.message).toBe('unknown firmware "coreboot"');
    expect(error?.kind).toBe('input');
    expect(error?.context.fix).toBe('choose one of: bios, uefi, uefi-secure');
    expect(() => liveModuleById('casper')).toThrow(/unknown live module "casper"/);
    expect(() => netbootLoaderFor('bios', 'nfs' as 'tftp')).toThrow(/over nfs under bios/);
  });
});

describe('the architecture axis', () => {
  it('knows x86_64 and aarch64, their QEMU and where KIWI puts kernel and initrd, and refuses what it does not know', () => {
    expect(Object.keys(ARCHITECTURES)).toEqual(['x86_64', 'aarch64']);
    expect(architectureById('aarch64').loaderLocations.kernel).toBe('/boot/aarch64/loader/linux');
    expect(DEFAULT_ARCHITECTURE).toBe(architectureById('x86_64'));
    expect(DEFAULT_ARCHITECTURE.qemuBinary).toBe('qemu-system-x86_64');
    expect(DEFAULT_ARCHITECTURE.loaderLocations).toEqual({ kernel: '/boot/x86_64/loader/linux', initrd: '/boot/x86_64/loader/initrd' });
    expect(() => architectureById('riscv64')).toThrow(/unknown architecture "riscv64"/);
  });

  it('a machine gets its QEMU from the caller: none named, start() refuses before it runs anything', async () => {
    await expect(new MachineBuilder({ artifactsDir: '/nonexistent', runtimeDir: '/nonexistent' }).start()).rejects.toThrow(/withArchitecture/);
  });
});

describe('the live module registry', () => {
  it('lists its ids for usage texts', () => {
    expect(liveModuleIds()).toEqual(['kiwi-live', 'dmsquash']);
  });
});

describe('a refused TLS handshake', () => {
  const failure = (method: string) => ({ transfer: { protocol: 'https', method, path: 'handshake failed: unknown ca', client: 'c', status: 0, complete: false, outcome: method === 'TLS' ? 'untrusted' : 'refused', bytesSent: 0, startedAtMs: 0, durationMs: 0 } as const });
  it("adds the live module's option that skips the certificate check, and nothing to other failures", () => {
    expect(insecureTlsHint(kiwiLive, failure('TLS'))).toBe(' (kiwi-live: rd.kiwi.live.curl_options=--insecure)');
    expect(insecureTlsHint(dmsquash, failure('TLS'))).toBe(' (dmsquash: rd.noverifyssl)');
    expect(insecureTlsHint(kiwiLive, failure('GET'))).toBe('');
  });
  it('is described by the publisher without any module option', () => {
    const text = describeTransfer(failure('TLS').transfer);
    expect(text).toMatch(/^https TLS handshake failed: unknown ca \(from c\), no request was made: does the client trust the publisher's certificate\?$/);
  });
});

describe('a boot plan', () => {
  it('a network boot: the loader of the transport, the live module\'s kernel options, phases in boot order', () => {
    const p = plan('network', 'http');
    expect(p.loader?.id).toBe('lpxelinux-http');
    expect(p.kernelArgs).toEqual(['ip=dhcp', 'root=live:http://10.0.2.100/image/x.iso', 'console=ttyS0', 'rd.kiwi.live.system=/dev/sda']);
    expect(p.console.phases.map((x) => x.id)).toEqual(['firmware', 'pxelinux', 'kernel', 'initrd', 'fetch-root', 'live-root', 'system', 'login']);
    expect(p.console.failSignatures.map((s) => s.id)).toEqual(expect.arrayContaining(['kernel-panic', 'dracut-fatal', 'firmware-no-boot', 'pxe-load-failed']));
    expect(p.console.warningSignatures.map((s) => s.id)).toContain('kiwi-live-overlay-fallback');
  });

  it('a disk boot: no loader, no kernel options of the harness, no loader phase or signature', () => {
    const p = plan('disk');
    expect(p.loader).toBeUndefined();
    expect(p.kernelArgs).toEqual([]);
    expect(p.console.phases.map((x) => x.id)).not.toContain('pxelinux');
    expect(p.console.failSignatures.map((s) => s.id)).not.toContain('pxe-load-failed');
  });
});

describe('verdict rules', () => {
  const blame = plan('network').blame;
  const waitError = (failure: ConsoleWaitError['failure'], phase: string) => new ConsoleWaitError(failure, 'x', { phase });

  it('a guest silent before its initrd, or QEMU ending before the kernel outside the loader, is the host\'s flake (ERROR)', () => {
    expect(verdictOf(waitError('silence', 'kernel'), blame)).toBe('ERROR');
    expect(verdictOf(waitError('ended', 'firmware'), blame)).toBe('ERROR');
    expect(verdictOf(waitError('ended', 'kernel'), blame)).toBe('ERROR');
  });

  it('QEMU ending in the loader, or anything from the initrd on, is the boot\'s (FAIL)', () => {
    expect(verdictOf(waitError('ended', 'pxelinux'), blame)).toBe('FAIL');
    expect(verdictOf(waitError('silence', 'initrd'), blame)).toBe('FAIL');
    expect(verdictOf(waitError('signature', 'kernel'), blame)).toBe('FAIL');
    expect(verdictOf(new Error('harness bug'), blame)).toBe('ERROR');
  });

  it('a loader giving up while a boot file from the harness had not reached it whole is a lost transfer (ERROR), a missing file is not', () => {
    const lost = ['http GET /boot/initrd still running, 9.4 MB of 23.8 MB written so far'];
    expect(loaderLostBootFile('FAIL', 'pxelinux', blame, lost)).toBe(true);
    expect(loaderLostBootFile('FAIL', 'pxelinux', blame, [])).toBe(false);
    expect(loaderLostBootFile('FAIL', 'initrd', blame, lost)).toBe(false);
    expect(loaderLostBootFile('PASS', 'pxelinux', blame, lost)).toBe(false);
  });

  it('retries an ERROR before the initrd, or one the host caused later, never a FAIL', () => {
    const result = (verdict: BootResult['verdict'], phase: string, hostFault?: boolean) => ({ verdict, phase, ...(hostFault ? { hostFault } : {}) }) as BootResult;
    expect(retryable(result('ERROR', 'kernel'), blame)).toBe(true);
    expect(retryable(result('ERROR', 'fetch-root'), blame)).toBe(false);
    expect(retryable(result('ERROR', 'live-root', true), blame)).toBe(true);
    expect(retryable(result('FAIL', 'kernel'), blame)).toBe(false);
  });

  it("under TCG, the kernel's int3 oops in its live code patching is the host's fault (ERROR) in any phase; under KVM it is the kernel's", () => {
    const line = '[   95.123456] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI';
    const p = plan('network');
    const signature = p.console.failSignatures.find((s) => s.pattern.test(line))!;
    expect(signature.id).toBe('tcg-text-patching');
    const error = new ConsoleWaitError('signature', 'x', { phase: 'live-root' }, signature);
    expect(verdictOf(error, p.blame)).toBe('ERROR');
    expect(verdictOf(error, plan('network', undefined, 'kvm').blame)).toBe('FAIL');
  });

  it('catches the oops formats of old and new kernels', () => {
    const oops = plan('network').console.failSignatures.find((s) => s.id === 'kernel-oops')!;
    expect(oops.pattern.test('[ 3.1] Oops: 0002 [#1] SMP PTI')).toBe(true);
    expect(oops.pattern.test('[ 3.1] Oops: general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI')).toBe(true);
    expect(oops.pattern.test('systemd[1]: Started oops-report.service: 0000 done')).toBe(false);
    expect(oops.pattern.test('[ 3.1] Oops: invalid opcode: 0000 [#1] SMP NOPTI')).toBe(true);
  });

  it('a negative boot passes only when it fails as declared, in the declared phase', () => {
    const expected = { reason: /INCOMPLETE/, why: 'too small', phase: 'fetch-root' };
    const failed = { verdict: 'FAIL', phase: 'fetch-root', reason: 'transfer failed: INCOMPLETE' } as BootResult;
    expect(applyExpectedFailure(failed, expected).verdict).toBe('PASS');
    expect(applyExpectedFailure({ ...failed, phase: 'initrd' }, expected).verdict).toBe('FAIL');
    expect(applyExpectedFailure({ ...failed, verdict: 'PASS' }, expected).reason).toMatch(/expected a failure \(too small\), but the boot passed/);
  });
});

describe('console warnings in a reason', () => {
  it('name each distinct warning once, with how often it came', async () => {
    const { summarizeWarnings } = await import('../../harness/engine/boot-session.js');
    const retry = (t: string) => `[  ${t}] dracut-initqueue[363]: Warning: failed to download live image: error 253`;
    expect(summarizeWarnings([retry('45.28'), retry('51.04'), '[ 60.1] other', retry('57.06')])).toBe(`"${retry('45.28')}" (3 times), "[ 60.1] other"`);
  });
});
