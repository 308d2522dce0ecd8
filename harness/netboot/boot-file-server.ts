import { join } from 'node:path';
import { startHttpPublisher } from '../publish/http-publisher.js';
import { PublishedFiles } from '../publish/published-files.js';
import { TransferLog } from '../publish/transfer-log.js';
import { BOOT_FILE_PORT, SERVICE_ADDRESS } from '../qemu/guest-network.js';
import type { GuestForward } from '../qemu/qemu-args.js';
import { BOOT_FILE_PATHS } from './boot-entry.js';
import type { NetbootContext } from './netboot-loader.js';

/** A running boot-file server: its log (the boot's boot-file evidence) and where the guest reaches it. */
export interface BootFileServer {
  bootFiles: TransferLog;
  forwards: GuestForward[];
  /** The guest's address and port of the server. */
  host: string;
  port: number;
}

/**
 * Serves kernel and initrd over HTTP at BOOT_FILE_PATHS on a guest port of their own, for a loader
 * that loads them over HTTP (and `more` files of the loader's own: its program and config over
 * UEFI HTTP boot); the server stops with the boot, its log goes to boot-files.jsonl.
 */
export async function startBootFileServer(context: NetbootContext, more: readonly { urlPath: string; filePath: string }[] = []): Promise<BootFileServer> {
  const files = await PublishedFiles.of([
    { urlPath: BOOT_FILE_PATHS.kernel, filePath: context.loaderFiles.kernelPath },
    { urlPath: BOOT_FILE_PATHS.initrd, filePath: context.loaderFiles.initrdPath },
    ...more,
  ]);
  const bootFiles = new TransferLog(join(context.artifactsDir, 'boot-files.jsonl'));
  const server = await startHttpPublisher(files, bootFiles, { guestPort: BOOT_FILE_PORT });
  context.onTeardown('stop the boot file server', () => server.stop());
  const forwards = server.forwards.map((f) => ({ guestAddress: SERVICE_ADDRESS, ...f }));
  return { bootFiles, forwards, host: SERVICE_ADDRESS, port: BOOT_FILE_PORT };
}
