import { access, constants } from 'node:fs/promises';
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

/** The folder of GRUB's modules for the platform (with its kernel.img), or a host error naming how to get them. */
export async function requireGrubEfiModules(platform: string): Promise<string> {
  const dirs = grubEfiModuleDirs(platform);
  for (const dir of dirs) {
    if (await access(join(dir, 'kernel.img'), constants.R_OK).then(() => true, () => false)) return dir;
  }
  const known = PACKAGES[platform];
  const fix = !known ? `GRUB has no EFI package known to the harness for ${platform}`
    : known.debianArch === 'amd64' ? `apt-get install ${known.pkg}`
    : `bash scripts/fetch-grub-efi.sh ${known.debianArch} (Debian's ${known.pkg}, unpacked into the harness's cache)`;
  throw hostError(`GRUB's ${platform} modules are missing (looked in ${dirs.join(' and ')})`, fix);
}
