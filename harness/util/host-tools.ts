import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { hostError } from '../errors.js';

/** Debian package that provides each host tool the harness runs, for the fix in error messages. */
export const TOOL_PACKAGES: Record<string, string> = {
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-system-aarch64': 'qemu-system-arm',
  'qemu-img': 'qemu-utils',
  xorriso: 'xorriso',
  socat: 'socat',
  sfdisk: 'fdisk',
  blkid: 'util-linux',
  openssl: 'openssl',
  'grub-mknetdir': 'grub-common',
  cp: 'coreutils',
  zstd: 'zstd',
  'mkfs.ext4': 'e2fsprogs',
  xz: 'xz-utils',
  lz4: 'lz4',
  bzip2: 'bzip2',
  // AoE: the exporter and the network namespace of its Ethernet segment.
  vblade: 'vblade',
  ip: 'iproute2',
};

export async function findOnPath(tool: string): Promise<string | undefined> {
  // sfdisk and blkid live in /usr/sbin, which a non-root user's PATH on Debian lacks.
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']) {
    if (!dir) continue;
    const candidate = join(dir, tool);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** The path of a host tool, or a host error that says which package to install. */
export async function requireTool(tool: string): Promise<string> {
  const found = await findOnPath(tool);
  if (found) return found;
  const pkg = TOOL_PACKAGES[tool] ?? tool;
  throw hostError(`host tool '${tool}' is not installed`, `apt-get install ${pkg} (or run: npm run main, which installs it)`);
}

/** A file the host's packages must provide (pxelinux.0, ldlinux.c32). */
export async function requireHostFile(path: string, pkg: string): Promise<string> {
  try {
    await access(path, constants.R_OK);
    return path;
  } catch (cause) {
    throw hostError(`host file ${path} is missing`, `apt-get install ${pkg}`, cause);
  }
}
