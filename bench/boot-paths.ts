import { FIRMWARES, type FirmwareId } from '../harness/firmware/index.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { netbootLoaderFor, type NetbootFamily } from '../harness/netboot/index.js';
import { bootOnce } from './firmware.js';
import { median, seconds as s, type Section } from './measure.js';

/** Every netboot path a fleet uses, under the firmware it boots with. */
const PATHS: readonly { firmware: FirmwareId; netboot: NetbootFamily }[] = [
  { firmware: 'bios', netboot: 'pxe' },
  { firmware: 'bios', netboot: 'ipxe' },
  { firmware: 'uefi', netboot: 'pxe' },
  { firmware: 'uefi', netboot: 'ipxe' },
  { firmware: 'uefi', netboot: 'http-boot' },
  { firmware: 'uefi-secure', netboot: 'pxe' },
];

/**
 * Time to `login:` of the same RAM deploy over every netboot path (--netboot) beside PXE's, on the
 * kiwi-live EFI hybrid fixture, one boot at a time with two vCPUs, round-robin; and the time to the
 * kernel's first line: what the firmware and the path's loader cost.
 */
export async function bootPathSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true, hybrid: 'efi' });
  const cells = PATHS.map((p) => ({ ...p, login: [] as number[], kernel: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    for (const cell of cells) {
      const boot = await bootOnce(iso, cell.firmware, cell.netboot);
      cell.login.push(boot.timeline.login!);
      cell.kernel.push(boot.timeline.kernel!);
      log(`boot paths: ${cell.firmware} ${cell.netboot} login: after ${s(boot.timeline.login!)} (kernel after ${s(boot.timeline.kernel!)})`);
    }
  }
  const rows = cells.map((c) => `| ${c.firmware} (${FIRMWARES[c.firmware].description}) | ${c.netboot} | ${netbootLoaderFor(c.firmware, 'tftp', c.netboot).id} | ${s(median(c.kernel))} | ${s(median(c.login))} | ${c.login.map(s).join(', ')} |`);
  return [{
    id: 'boot-paths',
    markdown: `### Time to login: per netboot path

The RAM deploy over http of the kiwi-live EFI hybrid fixture under each netboot path (\`--netboot\`), one boot at a time, smp 2, ${runs} run(s) each, round-robin; medians. The scenario's boot asks for kernel and initrd over TFTP, as the main job does: pxe loads them so, iPXE and HTTP boot over HTTP (their paths have no TFTP transport).

| firmware | netboot path | loader | to \`Linux version\` | to \`login:\` | runs (login) |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }];
}
