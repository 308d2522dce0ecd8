import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { FailSignature } from '../console/signatures.js';
import type { PhaseDefinition } from '../console/phases.js';
import { BOOT_FILE_PORT, SERVICE_ADDRESS } from '../qemu/guest-network.js';
import { requireHostFile, requireTool } from '../util/host-tools.js';
import { BOOT_FILE_PATHS } from './boot-entry.js';
import { startBootFileServer } from './boot-file-server.js';
import { GRUB_EFI_DIR, GRUB_FAIL_SIGNATURES, GRUB_MODULES, GRUB_PHASES, renderGrubConfig } from './grub-config.js';
import type { NetbootContext, NetbootLoader, PreparedNetboot } from './netboot-loader.js';

/*
 * UEFI HTTP boot: no TFTP at all. slirp's DHCP answer names a URL as the boot file; OVMF's own HTTP
 * boot client (its HttpBootDxe, with PXE switched off and the NIC's iPXE ROM left out, which would
 * otherwise take the boot over) fetches a GRUB image from the harness's boot-file server, and that
 * GRUB reads its config, kernel and initrd from the same server. Measured by hand (notes): OVMF
 * 2022.11 accepts slirp's offer without the HTTPClient vendor class, so no DHCP server of ours and
 * no root are needed.
 */

const IMAGE = '/boot/grub/grubx64.efi';
const CONFIG = '/boot/grub/grub.cfg';

const HTTP_BOOT_PHASES: readonly PhaseDefinition[] = [{ id: 'http-boot', marker: /Start HTTP Boot over IPv4/, label: 'UEFI HTTP boot' }, ...GRUB_PHASES];
const HTTP_BOOT_FAIL_SIGNATURES: readonly FailSignature[] = [
  {
    id: 'uefi-http-boot-failed',
    pattern: /Could not retrieve NBP file size from HTTP server|Error: Server response timeout|Error: Unexpected network error|Boot Failed\. EFI Network/,
    meaning: "the firmware's HTTP boot could not load the boot program",
  },
  ...GRUB_FAIL_SIGNATURES,
];

/** GRUB for EFI as one image that configures the network itself (no PXE state to read) and reads its config over HTTP. */
async function writeGrubImage(path: string, server: string): Promise<void> {
  await requireHostFile(join(GRUB_EFI_DIR, 'kernel.img'), 'grub-efi-amd64-bin');
  const mkimage = await requireTool('grub-mkimage');
  const early = `${path}.early.cfg`;
  await writeFile(early, `net_bootp\nset prefix=(http,${server})/boot/grub\nconfigfile (http,${server})${CONFIG}\n`);
  await execa(mkimage, ['-O', 'x86_64-efi', '-d', GRUB_EFI_DIR, '-p', `(http,${server})/boot/grub`, '-c', early, '-o', path, ...GRUB_MODULES]);
}

async function prepareHttpBoot(context: NetbootContext): Promise<PreparedNetboot> {
  const dir = join(context.runtimeDir, 'httpboot');
  await mkdir(dir, { recursive: true });
  const image = join(dir, 'grubx64.efi');
  const config = join(dir, 'grub.cfg');
  // Image and config name the server's guest address, and must exist before it publishes them.
  const where = `${SERVICE_ADDRESS}:${BOOT_FILE_PORT}`;
  await writeGrubImage(image, where);
  await writeFile(config, renderGrubConfig(`(http,${where})`, context.kernelArgs));
  const server = await startBootFileServer(context, [{ urlPath: IMAGE, filePath: image }, { urlPath: CONFIG, filePath: config }]);
  const withhold = async (file: string) => {
    throw new RangeError(`netbootFault: this loader serves no ${file} from a TFTP root (UEFI HTTP boot uses none)`);
  };
  return {
    tftpRoot: dir, bootfile: `http://${where}${IMAGE}`, forwards: server.forwards, bootFiles: server.bootFiles, bootFilePaths: BOOT_FILE_PATHS, withhold,
    entry: { path: config, artifactName: 'grub.cfg' },
    // OVMF tries PXE first unless told not to; the NIC's iPXE ROM would do the boot itself; HTTP boot wants an RNG for TLS-capable builds.
    machine: { nicOptionRom: false, args: ['-fw_cfg', 'name=opt/org.tianocore/IPv4PXESupport,string=no', '-device', 'virtio-rng-pci'] },
  };
}

/** UEFI HTTP boot under OVMF: GRUB, its config, kernel and initrd, all over HTTP from the harness. */
export const grubEfiHttpBoot: NetbootLoader = {
  id: 'uefi-http-boot',
  family: 'http-boot',
  description: "OVMF's UEFI HTTP boot of GRUB, then kernel and initrd, all over HTTP from the harness (no TFTP)",
  firmware: 'uefi',
  architectures: ['x86_64'],
  transport: 'http',
  hostFiles: [{ path: join(GRUB_EFI_DIR, 'kernel.img'), pkg: 'grub-efi-amd64-bin' }],
  phases: HTTP_BOOT_PHASES,
  failSignatures: HTTP_BOOT_FAIL_SIGNATURES,
  prepare: prepareHttpBoot,
};
