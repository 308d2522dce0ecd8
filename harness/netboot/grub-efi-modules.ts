import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostError } from '../errors.js';
import { cacheDir } from '../util/cache-dir.js';
import { packageVersion } from '../util/package-version.js';

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

/** GRUB's modules for a platform as found: their folder and the package they came from, with its version. */
export interface GrubEfiModules {
  dir: string;
  /** The host's package (its version from dpkg), or the one the project unpacked into its cache (from its PACKAGE file). */
  package: { name: string; version: string };
}

const readable = (dir: string) => access(join(dir, 'kernel.img'), constants.R_OK).then(() => true, () => false);

/** GRUB's modules for the platform, or undefined when neither the host nor the cache has them. */
export async function findGrubEfiModules(platform: string): Promise<GrubEfiModules | undefined> {
  const [host, cached] = grubEfiModuleDirs(platform) as [string, string];
  if (await readable(host)) {
    const name = PACKAGES[platform]?.pkg ?? `grub (${platform})`;
    return { dir: host, package: { name, version: await packageVersion(name) } };
  }
  if (await readable(cached)) return { dir: cached, package: await fetchedPackage(join(cacheDir(), `grub-${platform}`, 'PACKAGE')) };
  return undefined;
}

/** The command that gets GRUB's modules for the platform: apt on a host that builds them, else the project's fetch script. */
export function grubEfiModulesFix(platform: string): string {
  const known = PACKAGES[platform];
  if (!known) return `GRUB has no EFI package known to the harness for ${platform}`;
  return known.debianArch === 'amd64' ? `apt-get install ${known.pkg}`
    : `bash scripts/fetch-grub-efi.sh ${known.debianArch} (Debian's ${known.pkg}, unpacked into the harness's cache)`;
}

/**
 * GRUB's modules for the platform (a folder with its kernel.img), or a host error naming where the
 * harness looked and how to get them. The package they came from goes into the boot's components:
 * a fetched one no dpkg query on the host could name.
 */
export async function requireGrubEfiModules(platform: string): Promise<GrubEfiModules> {
  const found = await findGrubEfiModules(platform);
  if (found) return found;
  throw hostError(`GRUB's ${platform} modules are missing (looked in ${grubEfiModuleDirs(platform).join(' and ')})`, grubEfiModulesFix(platform));
}

/** The package a fetched folder came from ("Package: X", "Version: V", "Architecture: A"), or unknown. */
async function fetchedPackage(path: string): Promise<{ name: string; version: string }> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const field = (name: string) => new RegExp(`^${name}: (.+)$`, 'm').exec(text)?.[1]?.trim();
  return { name: `${field('Package') ?? 'grub-efi (fetched)'}:${field('Architecture') ?? '?'}`, version: field('Version') ?? 'unknown' };
}
