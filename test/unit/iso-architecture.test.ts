import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURES, architectureOfIso, checkKernelArchitecture, DEFAULT_ARCHITECTURE, peMachineOf, type Architecture } from '../../harness/arch/index.js';
import { readRunTarget } from '../../harness/engine/run-target.js';
import { listIsoFolder } from '../../harness/iso/iso-folder.js';
import { isHarnessError } from '../../harness/errors.js';
import { tinyLiveIso } from '../helpers/cpio.js';

// The architecture is read from the ISO (KIWI's /boot/<arch>/loader folder) and the kernel's
// header must agree; --arch may say it, never contradict it: x86_64 and aarch64 as registered.
const x86 = DEFAULT_ARCHITECTURE;
const arm: Architecture = ARCHITECTURES.aarch64;
const both = [x86, arm];

/** A kernel header: "MZ" and a PE header naming `machine`, or none (then only the magic, if any). */
function header(machine: number | undefined, magic?: { offset: number; text: string }): Buffer {
  const b = Buffer.alloc(4096);
  if (machine !== undefined) {
    b.write('MZ', 0, 'latin1');
    b.writeUInt32LE(0x80, 0x3c);
    b.write('PE\0\0', 0x80, 'latin1');
    b.writeUInt16LE(machine, 0x84);
  }
  if (magic) b.write(magic.text, magic.offset, 'latin1');
  return b;
}

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (isHarnessError(error)) return { kind: error.kind, message: error.message, fix: error.context.fix };
    throw error;
  }
  throw new Error('not refused');
};

describe('the architecture an ISO is for', () => {
  it('is the one whose loader folder /boot holds; an ISO with none of them falls back (extraction then names the missing kernel)', () => {
    expect(architectureOfIso(both, ['0x1861d3ef', 'grub', 'mbrid', 'x86_64'], undefined, x86).id).toBe('x86_64');
    expect(architectureOfIso(both, ['grub2', 'aarch64'], undefined, x86).id).toBe('aarch64');
    expect(architectureOfIso(both, ['grub2'], undefined, x86).id).toBe('x86_64');
  });

  it('--arch may say what the ISO holds, never contradict it; an ISO for several needs --arch', () => {
    expect(architectureOfIso(both, ['aarch64'], arm, x86).id).toBe('aarch64');
    expect(refusal(() => architectureOfIso(both, ['grub', 'x86_64'], arm, x86))).toEqual({
      kind: 'input', message: '--arch aarch64 disagrees with the ISO: its /boot holds grub, x86_64, the loader folder of x86_64', fix: 'pass --arch x86_64, or leave --arch out: the ISO says',
    });
    expect(refusal(() => architectureOfIso(both, ['x86_64', 'aarch64'], undefined, x86)).fix).toBe('pass --arch x86_64 or --arch aarch64');
  });

  it("a kernel's header says what it runs on: the PE machine of its EFI stub, else its boot protocol's magic", () => {
    expect(peMachineOf(header(0x8664))).toBe(0x8664);
    expect(peMachineOf(header(undefined))).toBeUndefined();
    expect(() => checkKernelArchitecture(header(0x8664), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).not.toThrow();
    expect(() => checkKernelArchitecture(header(undefined, x86.kernelImage.magic), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).not.toThrow();
    // A header that says nothing is let through: the boot will tell.
    expect(() => checkKernelArchitecture(Buffer.from('KERNEL'), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).not.toThrow();
    expect(refusal(() => checkKernelArchitecture(header(0xaa64), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).message).toBe('ISO a.iso: /boot/x86_64/loader/linux is a kernel for aarch64, not for x86_64');
    expect(refusal(() => checkKernelArchitecture(header(undefined, arm.kernelImage.magic), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).fix).toBe('pass --arch aarch64, or an ISO built for x86_64');
    expect(refusal(() => checkKernelArchitecture(header(0x5064), x86, both, '/boot/x86_64/loader/linux', 'a.iso')).message).toBe('ISO a.iso: /boot/x86_64/loader/linux is a PE image for machine 0x5064, not for x86_64');
  });
});

describe('read from a real ISO, before anything boots', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pxe-arch-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("xorriso lists /boot: KIWI's loader folder among the others", async () => {
    const iso = await tinyLiveIso(dir, 'two', { loaderFolders: ['x86_64', 'aarch64'] });
    expect((await listIsoFolder(iso, '/boot')).sort()).toEqual(['aarch64', 'x86_64']);
    expect(await listIsoFolder(iso, '/nowhere')).toEqual([]);
  });

  it('an x86_64 ISO whose kernel is built for another machine is refused as bad input, naming the file, before any boot', async () => {
    const iso = await tinyLiveIso(dir, 'wrong-kernel', { kernel: header(0xaa64) });
    const loaderDir = join(dir, 'loader');
    const error = await readRunTarget({ isoPath: iso }, loaderDir).then(() => undefined, (e: unknown) => e);
    expect(isHarnessError(error) && [error.kind, error.message]).toEqual(['input', `ISO ${iso}: /boot/x86_64/loader/linux is a kernel for aarch64, not for x86_64`]);
    const ok = await readRunTarget({ isoPath: await tinyLiveIso(dir, 'right-kernel', { kernel: header(0x8664) }), arch: 'x86_64' }, join(dir, 'loader-ok'));
    expect([ok.arch.id, (await readdir(join(dir, 'loader-ok'))).sort()]).toEqual(['x86_64', ['initrd', 'linux']]);
  });
});
