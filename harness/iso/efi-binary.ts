import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { requireTool } from '../util/host-tools.js';

/*
 * What an EFI program (a PE32+ file: shim, a signed GRUB) says about itself, read on the host from
 * the file the boot uses: its SBAT (the components and versions the vendor declares, which is also
 * what Secure Boot's revocations key on) and who signed it (the Authenticode certificates).
 */

export interface PeSection {
  name: string;
  /** Where the section's bytes are in the file, and how many of them are meaningful. */
  fileOffset: number;
  size: number;
}

export interface PeLayout {
  sections: PeSection[];
  /** The certificate table (the Authenticode signature): a file offset and size; size 0 when unsigned. */
  certificates: { fileOffset: number; size: number };
}

/** PE32+ only (x86_64 and aarch64 EFI programs); undefined for anything else. */
export function parsePe(bytes: Buffer): PeLayout | undefined {
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') return undefined;
  const pe = bytes.readUInt32LE(0x3c);
  if (pe + 24 > bytes.length || bytes.toString('latin1', pe, pe + 4) !== 'PE\0\0') return undefined;
  const sectionCount = bytes.readUInt16LE(pe + 6);
  const optionalSize = bytes.readUInt16LE(pe + 20);
  const optional = pe + 24;
  if (optional + optionalSize > bytes.length || bytes.readUInt16LE(optional) !== 0x20b) return undefined;
  // PE32+: the data directories start at byte 112 of the optional header; the fifth is the certificate table.
  const security = optional + 112 + 4 * 8;
  const certificates = optionalSize >= 112 + 5 * 8 ? { fileOffset: bytes.readUInt32LE(security), size: bytes.readUInt32LE(security + 4) } : { fileOffset: 0, size: 0 };
  const sections: PeSection[] = [];
  for (let i = 0; i < sectionCount; i++) {
    const at = optional + optionalSize + 40 * i;
    if (at + 40 > bytes.length) break;
    const name = bytes.toString('latin1', at, at + 8).replace(/\0+$/, '');
    const virtualSize = bytes.readUInt32LE(at + 8);
    const rawSize = bytes.readUInt32LE(at + 16);
    sections.push({ name, fileOffset: bytes.readUInt32LE(at + 20), size: Math.min(virtualSize || rawSize, rawSize) });
  }
  return { sections, certificates };
}

/** One SBAT entry: `component,generation,vendor,package,version,url`. */
export interface SbatEntry {
  component: string;
  generation: string;
  vendor: string;
  package: string;
  version: string;
}

/** The entries of an `.sbat` section's CSV text, the `sbat,1,...` header line left out. */
export function parseSbat(text: string): SbatEntry[] {
  return text
    .replace(/\0[\s\S]*$/, '')
    .split('\n')
    .map((line) => line.trim().split(','))
    .filter((f) => f.length >= 5 && f[0] !== 'sbat')
    .map(([component, generation, vendor, pkg, version]) => ({ component: component!, generation: generation!, vendor: vendor!, package: pkg!, version: version! }));
}

/** The vendor's own SBAT entry (the last one: `shim.debian`, `grub.debian`), said as "grub2 2.12-5 (grub.debian)". */
export function sbatVersion(entries: readonly SbatEntry[]): string | undefined {
  const own = entries.at(-1);
  return own ? `${own.package} ${own.version} (${own.component})` : undefined;
}

/** The SBAT entries of an EFI program; [] when it has none (an old or unsigned build). */
export async function readSbat(path: string): Promise<SbatEntry[]> {
  const bytes = await readFile(path);
  const section = parsePe(bytes)?.sections.find((s) => s.name === '.sbat');
  return section ? parseSbat(bytes.toString('latin1', section.fileOffset, section.fileOffset + section.size)) : [];
}

/** The PKCS#7 blobs of the certificate table (WIN_CERTIFICATE entries, 8-byte aligned). */
export function signatureBlobs(bytes: Buffer, table: PeLayout['certificates']): Buffer[] {
  const blobs: Buffer[] = [];
  let at = table.fileOffset;
  const end = Math.min(table.fileOffset + table.size, bytes.length);
  while (table.size > 0 && at + 8 <= end) {
    const length = bytes.readUInt32LE(at);
    if (length <= 8 || at + length > end) break;
    blobs.push(bytes.subarray(at + 8, at + length));
    at += Math.ceil(length / 8) * 8;
  }
  return blobs;
}

/** Who signed an EFI program: every certificate's subject and issuer in its signatures (openssl reads the PKCS#7). */
export interface Signers {
  subjects: string[];
  issuers: string[];
}

export async function readSigners(path: string): Promise<Signers> {
  const bytes = await readFile(path);
  const layout = parsePe(bytes);
  const signers: Signers = { subjects: [], issuers: [] };
  if (!layout) return signers;
  const openssl = await requireTool('openssl');
  for (const blob of signatureBlobs(bytes, layout.certificates)) {
    const { stdout } = await execa(openssl, ['pkcs7', '-inform', 'DER', '-print_certs', '-noout'], { input: blob, encoding: 'utf8', reject: false });
    for (const line of stdout.split('\n')) {
      const [key, ...value] = line.split('=');
      if (key === 'subject') signers.subjects.push(value.join('=').trim());
      if (key === 'issuer') signers.issuers.push(value.join('=').trim());
    }
  }
  return signers;
}

/**
 * The certificate authority both programs were signed under, if any: what makes a shim that
 * accepts the one accept the other (shim trusts its vendor's CA, not a single program).
 */
export function commonAuthority(a: Signers, b: Signers): string | undefined {
  return a.issuers.find((issuer) => b.issuers.includes(issuer) && !/Microsoft/i.test(issuer));
}
