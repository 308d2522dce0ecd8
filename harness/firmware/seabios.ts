import { DEFAULT_SETTLE_MS } from '../qemu/accel-probe.js';
import type { Firmware } from './firmware.js';
import { IPXE_FAIL_SIGNATURES } from './ipxe.js';

/**
 * SeaBIOS, QEMU's default BIOS, with iPXE as the NIC's option ROM (Debian's ipxe-qemu). It needs
 * no arguments of its own and honours `-boot order=`. Its messages go to the VGA screen, not to
 * the serial console: the screenshots show them.
 */
export const seabios: Firmware<'bios'> = {
  id: 'bios',
  description: 'SeaBIOS with iPXE (QEMU default, machine pc)',
  architecture: 'x86_64',
  machineType: 'pc',
  bootSelection: 'boot-order',
  hostFiles: [{ path: '/usr/share/seabios/bios-256k.bin', pkg: 'seabios' }, { path: '/usr/lib/ipxe/qemu/efi-virtio.rom', pkg: 'ipxe-qemu' }],
  phases: [{ id: 'firmware', marker: null, label: 'firmware / PXE' }],
  failSignatures: [
    { id: 'firmware-no-boot', pattern: /No bootable device|PXE-E\d\d/, meaning: 'the PXE loader could not load what it needed' },
    ...IPXE_FAIL_SIGNATURES,
  ],
  machineArgs: async () => [],
  // SeaBIOS boots from the MBR of an ISO of either hybrid.
  diskBootUnsupported: () => undefined,
  probeSettleMs: DEFAULT_SETTLE_MS,
  secureBoot: false,
};
