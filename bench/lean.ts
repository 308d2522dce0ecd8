/*
 * The lean fixture against a default KIWI live ISO (issue 16): the same RAM deploy over http, to
 * `login:`, one boot at a time with two vCPUs, alternating so that a drift of the machine hits
 * both alike. The target: the fixture's median at most 0.45 of the reference's, same run.
 */
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { bootOnce } from './firmware.js';
import { median, seconds as s, type Section } from './measure.js';

const TARGET_RATIO = 0.45;

interface Row { label: string; iso: string; login: number[]; kernel: number[] }

export async function leanSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const rows: Row[] = [
    { label: 'lean fixture (images/fixture, BIOS MBR hybrid)', iso: await fixtureIsoPath({ progress: true }), login: [], kernel: [] },
    { label: 'default KIWI live ISO (images/reference)', iso: await fixtureIsoPath({ progress: true, reference: true }), login: [], kernel: [] },
  ];
  for (let i = 0; i < runs; i++) {
    for (const row of rows) {
      const boot = await bootOnce(row.iso, 'bios');
      row.login.push(boot.timeline.login!);
      row.kernel.push(boot.timeline.kernel!);
      log(`lean: ${row.label}: login: after ${s(boot.timeline.login!)}`);
    }
  }
  const [lean, reference] = rows.map((r) => median(r.login)) as [number, number];
  const ratio = lean / reference;
  const table = rows.map((r) => `| ${r.label} | ${s(median(r.kernel))} | ${s(median(r.login))} | ${r.login.map(s).join(', ')} |`);
  return [{
    id: 'lean',
    markdown: `### The lean fixture against a default KIWI live ISO (target: ratio <= ${TARGET_RATIO})

QEMU's start to \`login:\`, the RAM deploy over http under BIOS (SeaBIOS, iPXE, pxelinux), one boot
at a time, smp 2, ${runs} run(s) each, alternating; medians.

| ISO | to \`Linux version\` | to \`login:\` | runs (login) |
| --- | --- | --- | --- |
${table.join('\n')}

The lean fixture takes **${ratio.toFixed(2)}** of the default ISO's time (${ratio <= TARGET_RATIO ? 'met' : 'MISSED'}).
`,
  }];
}
