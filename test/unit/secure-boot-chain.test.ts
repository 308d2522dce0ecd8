import { DEFAULT_ARCHITECTURE } from '../../harness/arch/index.js';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIsoBootFacts, signedChainOf } from '../../harness/iso/boot-facts.js';
import { commonAuthority, parsePe, parseSbat, readSbat, readSigners, sbatVersion, signatureBlobs } from '../../harness/iso/efi-binary.js';
import { loaderFilesFor } from '../../harness/engine/netboot-faults.js';
import { SIGNED_NETBOOT_GRUB, shimGrubTftp } from '../../harness/netboot/shim-grub.js';
import { tinyLiveIso } from '../helpers/cpio.js';
import { writeFile } from 'node:fs/promises';

/** A PE32+ file with the given sections and a certificate table (what shim and a signed GRUB are). */
function pe(sections: { name: string; data: Buffer }[], certificate?: Buffer): Buffer {
  const peAt = 0x40;
  const optionalSize = 240;
  const headers = peAt + 24 + optionalSize + 40 * sections.length;
  let at = Math.ceil(headers / 512) * 512;
  const placed = sections.map((s) => {
    const offset = at;
    at += Math.ceil(s.data.length / 512) * 512;
    return { ...s, offset };
  });
  const certAt = at;
  const out = Buffer.alloc(at + (certificate ? Math.ceil((certificate.length + 8) / 8) * 8 : 0));
  out.write('MZ', 0, 'latin1');
  out.writeUInt32LE(peAt, 0x3c);
  out.write('PE\0\0', peAt, 'latin1');
  out.writeUInt16LE(sections.length, peAt + 6);
  out.writeUInt16LE(optionalSize, peAt + 20);
  out.writeUInt16LE(0x20b, peAt + 24);
  if (certificate) {
    out.writeUInt32LE(certAt, peAt + 24 + 112 + 32);
    out.writeUInt32LE(certificate.length + 8, peAt + 24 + 112 + 36);
    out.writeUInt32LE(certificate.length + 8, certAt);
    out.writeUInt16LE(0x200, certAt + 4);
    out.writeUInt16LE(2, certAt + 6);
    certificate.copy(out, certAt + 8);
  }
  placed.forEach((s, i) => {
    const h = peAt + 24 + optionalSize + 40 * i;
    out.write(s.name, h, 'latin1');
    out.writeUInt32LE(s.data.length, h + 8);
    out.writeUInt32LE(Math.ceil(s.data.length / 512) * 512, h + 16);
    out.writeUInt32LE(s.offset, h + 20);
    s.data.copy(out, s.offset);
  });
  return out;
}

const SBAT = 'sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\ngrub,4,Free Software Foundation,grub,2.12,https://www.gnu.org/software/grub/\ngrub.debian,4,Debian,grub2,2.12-5,https://tracker.debian.org/pkg/grub2\n';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pxe-secure-boot-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('an EFI program read on the host', () => {
  it("reads its SBAT: the vendor's own entry names package and version", async () => {
    const file = join(dir, 'grub.efi');
    await writeFile(file, pe([{ name: '.text', data: Buffer.alloc(100) }, { name: '.sbat', data: Buffer.from(`${SBAT}\0\0`) }]));
    const entries = await readSbat(file);
    expect(entries.map((e) => e.component)).toEqual(['grub', 'grub.debian']);
    expect(sbatVersion(entries)).toBe('grub2 2.12-5 (grub.debian)');
    expect(parseSbat('')).toEqual([]);
  });

  it('finds the signature blobs of its certificate table, and none in an unsigned or foreign file', () => {
    const blob = Buffer.from('PKCS7-DER-BYTES');
    const file = pe([{ name: '.text', data: Buffer.alloc(10) }], blob);
    const layout = parsePe(file)!;
    expect(signatureBlobs(file, layout.certificates)).toEqual([blob]);
    expect(parsePe(pe([{ name: '.text', data: Buffer.alloc(10) }]))!.certificates.size).toBe(0);
    expect(parsePe(Buffer.from('#!/bin/sh\n'))).toBeUndefined();
  });

  it('takes two programs as of one vendor only when they share a certificate authority that is not Microsoft', () => {
    const debian = { subjects: ['CN = Debian Secure Boot Signer 2022 - grub2'], issuers: ['CN = Debian Secure Boot CA'] };
    const debianOld = { subjects: ['CN = Debian Secure Boot Signer 2021 - grub2'], issuers: ['CN = Debian Secure Boot CA'] };
    const suse = { subjects: ['CN = SUSE Linux Enterprise Secure Boot Signkey'], issuers: ['CN = SUSE Linux Enterprise Secure Boot CA'] };
    const microsoft = { subjects: [], issuers: ['CN = Microsoft Corporation UEFI CA 2011'] };
    expect(commonAuthority(debian, debianOld)).toBe('CN = Debian Secure Boot CA');
    expect(commonAuthority(debian, suse)).toBeUndefined();
    // Every shim is signed by Microsoft: that says nothing about which GRUB a shim accepts.
    expect(commonAuthority(microsoft, microsoft)).toBeUndefined();
  });

  it("reads Debian's signed netboot GRUB where the host has it: signed under Debian's CA, with an SBAT", async (context) => {
    if (!(await access(SIGNED_NETBOOT_GRUB.path).then(() => true, () => false))) return context.skip();
    expect((await readSigners(SIGNED_NETBOOT_GRUB.path)).issuers).toContain('CN = Debian Secure Boot CA');
    expect(sbatVersion(await readSbat(SIGNED_NETBOOT_GRUB.path))).toMatch(/^grub2 \S+ \(grub\.debian/);
  });
});

describe("the ISO's signed chain", () => {
  it('is shim as bootx64.efi with a second stage beside it, by the names vendors use, in any case', () => {
    expect(signedChainOf(['/EFI/BOOT/bootx64.efi', '/EFI/BOOT/grubx64.efi', '/EFI/BOOT/mmx64.efi'])).toEqual({ shim: '/EFI/BOOT/bootx64.efi', loader: '/EFI/BOOT/grubx64.efi' });
    expect(signedChainOf(['/EFI/BOOT/BOOTX64.EFI', '/EFI/BOOT/grub.efi'])).toEqual({ shim: '/EFI/BOOT/BOOTX64.EFI', loader: '/EFI/BOOT/grub.efi' });
    // An unsigned build (KIWI's firmware="efi"): GRUB itself is bootx64.efi.
    expect(signedChainOf(['/EFI/BOOT/bootx64.efi', '/EFI/BOOT/grub.cfg'])).toBeUndefined();
  });

  it('is read from the ISO file, and an ISO without one is SKIPPED by the loader with the reason', async () => {
    const signed = await tinyLiveIso(dir, 'signed', { efiBoot: { 'bootx64.efi': 'SHIM', 'grubx64.efi': 'GRUB' } });
    const unsigned = await tinyLiveIso(dir, 'unsigned', { efiBoot: { 'bootx64.efi': 'GRUB' } });
    expect((await readIsoBootFacts(signed)).signedChain).toEqual({ shim: '/EFI/BOOT/bootx64.efi', loader: '/EFI/BOOT/grubx64.efi' });
    const facts = await readIsoBootFacts(unsigned);
    expect(facts.signedChain).toBeUndefined();
    expect(shimGrubTftp.isoUnsupported!(facts)).toMatch(/Secure Boot on, and the ISO carries no signed boot chain/);
  });

  it("serves the ISO's shim as the boot file and its second stage beside it under the ISO's name", async () => {
    const path = await tinyLiveIso(dir, 'chain', { efiBoot: { 'bootx64.efi': 'SHIM-BYTES', 'grubx64.efi': 'GRUB-BYTES' } });
    const kernelPath = join(dir, 'k');
    const initrdPath = join(dir, 'i');
    await writeFile(kernelPath, 'K');
    await writeFile(initrdPath, 'I');
    const runtimeDir = join(dir, 'chain-run');
    const prepared = await shimGrubTftp.prepare({ runtimeDir, artifactsDir: runtimeDir, loaderFiles: { kernelPath, initrdPath }, iso: { path, boot: await readIsoBootFacts(path) }, arch: DEFAULT_ARCHITECTURE, kernelArgs: ['ip=dhcp'], onTeardown: () => undefined });
    expect(prepared.bootfile).toBe('bootx64.efi');
    expect(await readFile(join(prepared.tftpRoot, 'bootx64.efi'), 'utf8')).toBe('SHIM-BYTES');
    // Not signed under any authority: the ISO's own second stage, whatever the host has.
    expect(await readFile(join(prepared.tftpRoot, 'grubx64.efi'), 'utf8')).toBe('GRUB-BYTES');
    expect(prepared.usedFiles).toEqual([
      { name: "shim: the ISO's /EFI/BOOT/bootx64.efi", version: 'no SBAT' },
      { name: "GRUB: the ISO's /EFI/BOOT/grubx64.efi", version: 'no SBAT' },
    ]);
    // OVMF's own PXE: the NIC's iPXE ROM would load shim without the PXE protocol shim needs.
    expect(prepared.machine).toEqual({ nicOptionRom: false });
  });
});

describe('an altered netboot file', () => {
  it('is a copy of the boot with one byte flipped in its middle; the ISO\'s extracted file stays whole', async () => {
    const kernelPath = join(dir, 'linux');
    const initrdPath = join(dir, 'initrd');
    await writeFile(kernelPath, Buffer.from([1, 2, 3, 4, 5]));
    await writeFile(initrdPath, 'I');
    const files = { kernelPath, initrdPath };
    expect(await loaderFilesFor(files, undefined, dir)).toBe(files);
    expect(await loaderFilesFor(files, { missing: 'kernel' }, dir)).toBe(files);
    const altered = await loaderFilesFor(files, { altered: 'kernel' }, dir);
    expect(altered.initrdPath).toBe(initrdPath);
    expect([...(await readFile(altered.kernelPath))]).toEqual([1, 2, 3 ^ 0xff, 4, 5]);
    expect([...(await readFile(kernelPath))]).toEqual([1, 2, 3, 4, 5]);
  });
});
