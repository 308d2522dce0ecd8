import { join } from 'node:path';
import { BOOT_FILE_PATHS } from './boot-entry.js';
import { startBootFileServer } from './boot-file-server.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { LDLINUX_PATH, PXELINUX_FAIL_SIGNATURES, PXELINUX_PHASES, writePxelinuxRoot } from './pxelinux-root.js';
import { withholdFromTftpRoot } from './tftp-files.js';

/** pxelinux with an HTTP client (lwIP): loads kernel and initrd from http:// URLs. */
export const LPXELINUX_PATH = '/usr/lib/PXELINUX/lpxelinux.0';

/**
 * lpxelinux over TFTP, then kernel and initrd over HTTP from a boot-file server of the harness
 * on a guest port of its own; its transfers are the boot's boot-file evidence.
 */
export const lpxelinuxHttp: NetbootLoader = {
  id: 'lpxelinux-http',
  description: 'lpxelinux, kernel and initrd over HTTP from the harness',
  family: 'pxe',
  firmware: 'bios',
  architectures: ['x86_64'],
  transport: 'http',
  hostFiles: [{ path: LPXELINUX_PATH, pkg: 'pxelinux' }, { path: LDLINUX_PATH, pkg: 'syslinux-common' }],
  phases: PXELINUX_PHASES,
  failSignatures: PXELINUX_FAIL_SIGNATURES,
  async prepare(context: NetbootContext): Promise<PreparedNetboot> {
    const server = await startBootFileServer(context);
    const dir = join(context.runtimeDir, 'tftp');
    const root = await writePxelinuxRoot(dir, { path: LPXELINUX_PATH, bootfile: 'lpxelinux.0' }, context.kernelArgs, `http://${server.host}:${server.port}/`);
    const entry = { path: root.configPath, artifactName: 'pxelinux.cfg' };
    const withhold = withholdFromTftpRoot(dir, { 'boot-program': root.bootfile });
    return { tftpRoot: dir, bootfile: root.bootfile, forwards: server.forwards, entry, bootFiles: server.bootFiles, bootFilePaths: BOOT_FILE_PATHS, withhold };
  },
};
