import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostError } from '../errors.js';
import { cacheDir } from '../util/cache-dir.js';

/**
 * Debian's package of GRUB's EFI modules per GRUB platform, and the Debian architecture that builds
 * it: a host of another architecture has no such package in its own archive (amd64 has no
 * grub-efi-arm64-bin), so scripts/fetch-grub-efi.sh unpacks the other architecture's package from
 * the machine's own apt sources into the harness's cache.
 */
const PACKAGES: Readonly<Record<string, { pkg: string; debianArch: string }>> = {
  'x86_64-efi': { pkg: 'grub-efi-amd64-bin', debianArch: 'amd64' },
  'arm64-efi': { pkg: 'grub-efi-arm64-bin', debianArch: 'arm64' },
};

/** Where GRUB's modules for a platform are: the host's package, else the copy the project fetched into its cache. */
export function grubEfiModuleDirs(platform: string): string[] {
  return [join('/usr/lib/grub', platform), join(cacheDir(), `grub-${platform}`, 'usr/lib/grub', platform)];
}

/**
 * The folder of GRUB's modules for the platform (with its kernel.img), or a host error naming how
 * to get them; `fetched` names the package the project unpacked there (scripts/fetch-grub-efi.sh),
 * which no dpkg query on the host can report.
 */
export async function requireGrubEfiModules(platform: string): Promise<{ dir: string; fetched?: { name: string; version: string } }> {
  const dirs = grubEfiModuleDirs(platform);
  const [host, cached] = dirs as [string, string];
  const readable = (dir: string) => access(join(dir, 'kernel.img'), constants.R_OK).then(() => true, () => false);
  if (await readable(host)) return { dir: host };
  if (await readable(cached)) return { dir: cached, fetched: await fetchedPackage(join(cacheDir(), `grub-${platform}`, 'PACKAGE')) };
  const known = PACKAGES[platform];
  const fix = !known ? `GRUB has no EFI package known to the harness for ${platform}`
    : known.debianArch === 'amd64' ? `apt-get install ${known.pkg}`
    : `bash scripts/fetch-grub-efi.sh ${known.debianArch} (Debian's ${known.pkg}, unpacked into the harness's cache)`;
  throw hostError(`GRUB's ${platform} modules are missing (looked in ${dirs.join(' and ')})`, fix);
}

/** The package a fetched folder came from ("Package: X", "Version: V", "Architecture: A"), or unknown. */
async function fetchedPackage(path: string): Promise<{ name: string; version: string }> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(text)?.[1]?.trim();
  return { name: `${field('Package') ?? 'grub-efi (fetched)'}:${field('Architecture') ?? '?'}`, version: field('Version') ?? 'unknown' };
}
