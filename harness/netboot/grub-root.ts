import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BOOT_FILE_PATHS, BOOT_FILES } from './boot-entry.js';
import { startBootFileServer } from './boot-file-server.js';
import { renderGrubConfig } from './grub-config.js';
import type { NetbootContext, NetbootFile, PreparedNetboot } from './netboot-loader.js';
import { place } from './place-file.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/**
 * What every GRUB that PXE starts from a TFTP root shares, whichever GRUB it is (Debian's unsigned
 * netboot image, a signed one behind shim): the boot entry where that GRUB looks for it, and kernel
 * and initrd beside it over TFTP or from the harness's boot-file server. Loader-neutral.
 */
export interface GrubTftpRoot {
  /** The TFTP root, with the loader's own programs already in it. */
  dir: string;
  /** The boot file DHCP names, relative to the root. */
  bootfile: string;
  /** Where this GRUB reads its config, relative to the root (the first is kept as the boot's evidence). */
  configPaths: readonly string[];
  /** The loader's programs a scenario can withhold (relative to the root). */
  programs: Partial<Record<NetbootFile, string>>;
}

export async function prepareGrubRoot(context: NetbootContext, root: GrubTftpRoot, overHttp: boolean): Promise<PreparedNetboot> {
  let source = '';
  const prepared: Pick<PreparedNetboot, 'forwards' | 'bootFiles'> = { forwards: [] };
  let served = root.programs;
  if (overHttp) {
    const server = await startBootFileServer(context);
    prepared.bootFiles = server.bootFiles;
    prepared.forwards = server.forwards;
    source = `(http,${server.host}:${server.port})`;
  } else {
    await mkdir(join(root.dir, 'boot'), { recursive: true });
    await Promise.all([place(context.loaderFiles.kernelPath, join(root.dir, BOOT_FILES.kernel)), place(context.loaderFiles.initrdPath, join(root.dir, BOOT_FILES.initrd))]);
    served = { ...served, kernel: BOOT_FILES.kernel, initrd: BOOT_FILES.initrd };
  }
  const config = renderGrubConfig(source, context.kernelArgs);
  for (const path of root.configPaths) {
    await mkdir(join(root.dir, path, '..'), { recursive: true });
    await writeFile(join(root.dir, path), config);
  }
  return {
    tftpRoot: root.dir, bootfile: root.bootfile, ...prepared, bootFilePaths: BOOT_FILE_PATHS, withhold: withholdFromTftpRoot(root.dir, served),
    entry: { path: join(root.dir, root.configPaths[0]!), artifactName: 'grub.cfg' },
  };
}
