import { execFile } from 'node:child_process';

/** A host file a boot used, and the Debian package that installed it, with that package's version. */
export interface PackageVersion {
  name: string;
  /** As dpkg knows it; 'unknown' on a host without dpkg or the package. */
  version: string;
}

const cache = new Map<string, Promise<string>>();

/**
 * The installed version of a Debian package (dpkg-query), asked once per process: what a report
 * names so that a firmware or loader update that breaks a boot shows in the evidence (kola lost
 * UEFI PXE to an OVMF update and to a GRUB update).
 */
export function packageVersion(name: string): Promise<string> {
  let version = cache.get(name);
  if (!version) {
    version = new Promise((resolve) => {
      execFile('dpkg-query', ['-W', '-f=${Version}', name], { timeout: 10_000 }, (error, stdout) => resolve(error || !stdout.trim() ? 'unknown' : stdout.trim()));
    });
    cache.set(name, version);
  }
  return version;
}

/** The versions of the packages behind a part's host files, each package once. */
export async function versionsOf(files: readonly { pkg: string }[]): Promise<PackageVersion[]> {
  const names = [...new Set(files.map((f) => f.pkg))];
  return Promise.all(names.map(async (name) => ({ name, version: await packageVersion(name) })));
}
