import { grubEfiHttp, grubEfiTftp } from './grub-efi.js';
import { lpxelinuxHttp } from './lpxelinux-http.js';
import type { LoaderTransport, NetbootLoader } from './netboot-loader.js';
import { pxelinuxTftp } from './pxelinux.js';

/** Every netboot loader: one entry each, for one firmware and one transport of kernel and initrd. */
export const NETBOOT_LOADERS: readonly NetbootLoader[] = [pxelinuxTftp, lpxelinuxHttp, grubEfiTftp, grubEfiHttp];

export function netbootLoaderFor(firmware: string, transport: LoaderTransport): NetbootLoader {
  const loader = NETBOOT_LOADERS.find((l) => l.firmware === firmware && l.transport === transport);
  if (!loader) throw new RangeError(`no netboot loader loads kernel and initrd over ${transport} under ${firmware} firmware`);
  return loader;
}

export type { BootFilePaths, LoaderTransport, NetbootFile, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
