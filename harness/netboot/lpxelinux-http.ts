import { join } from 'node:path';
import { BOOT_FILE_PORT, SERVICE_ADDRESS } from '../qemu/guest-network.js';
import { startHttpPublisher } from '../publish/http-publisher.js';
import { PublishedFiles } from '../publish/published-files.js';
import { TransferLog } from '../publish/transfer-log.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';
import { LDLINUX_PATH, PXELINUX_FAIL_SIGNATURES, PXELINUX_PHASES, writePxelinuxRoot } from './pxelinux.js';

/** pxelinux with an HTTP client (lwIP): loads kernel and initrd from http:// URLs. */
export const LPXELINUX_PATH = '/usr/lib/PXELINUX/lpxelinux.0';

/**
 * lpxelinux over TFTP, then kernel and initrd over HTTP from a boot-file server of the harness
 * on a guest port of its own; its transfers are the boot's boot-file evidence.
 */
export const lpxelinuxHttp: NetbootLoader = {
  id: 'lpxelinux-http',
  description: 'lpxelinux, kernel and initrd over HTTP from the harness',
  firmware: 'bios',
  transport: 'http',
  hostFiles: [{ path: LPXELINUX_PATH, pkg: 'pxelinux' }, { path: LDLINUX_PATH, pkg: 'syslinux-common' }],
  phases: PXELINUX_PHASES,
  failSignatures: PXELINUX_FAIL_SIGNATURES,
  async prepare(context: NetbootContext): Promise<PreparedNetboot> {
    const files = await PublishedFiles.of([
      { urlPath: '/boot/linux', filePath: context.loaderFiles.kernelPath },
      { urlPath: '/boot/initrd', filePath: context.loaderFiles.initrdPath },
    ]);
    const bootFiles = new TransferLog(join(context.artifactsDir, 'boot-files.jsonl'));
    const server = await startHttpPublisher(files, bootFiles, { guestPort: BOOT_FILE_PORT });
    context.onTeardown('stop the boot file server', () => server.stop());
    const prefix = `http://${SERVICE_ADDRESS}:${BOOT_FILE_PORT}/`;
    const dir = join(context.runtimeDir, 'tftp');
    const root = await writePxelinuxRoot(dir, { path: LPXELINUX_PATH, bootfile: 'lpxelinux.0' }, context.kernelArgs, prefix);
    const forwards = server.forwards.map((f) => ({ guestAddress: SERVICE_ADDRESS, ...f }));
    const entry = { path: root.configPath, artifactName: 'pxelinux.cfg' };
    return { tftpRoot: dir, bootfile: root.bootfile, forwards, entry, bootFiles, tftpFiles: { bootProgram: root.bootfile } };
  },
};
