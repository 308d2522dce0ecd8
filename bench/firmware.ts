import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIRMWARES, type FirmwareId } from '../harness/firmware/index.js';
import { netbootLoaderFor, type NetbootFamily } from '../harness/netboot/index.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { runScenarios } from '../harness/engine/run-all.js';
import type { BootResult } from '../harness/scenario/result.js';
import { defineScenario } from '../harness/scenario/index.js';
import { median, seconds as s, type Section } from './measure.js';

/** The RAM deploy over http with no checks: its verdict comes at the login prompt. */
const ramDeploy = defineScenario({
  name: 'bench-firmware-ram-deploy',
  summary: 'RAM deploy over http, verdict at the login prompt (no checks)',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});

/** One RAM deploy of ISO over http to `login:`, alone, smp 2; throws unless it passed. */
export async function bootOnce(iso: string, firmware: FirmwareId, netboot?: NetbootFamily): Promise<BootResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-firmware-'));
  try {
    const [result] = await runScenarios({ isoPath: iso, scenarios: [ramDeploy], outDir, firmware, jobs: 1, cpus: 2, accel: 'tcg', ...(netboot ? { netboot } : {}) });
    const boot = result!.boots[0]!;
    if (result!.verdict !== 'PASS') throw new Error(`the ${firmware} RAM deploy did not pass: ${result!.reason}`);
    return boot;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

type Cell = { login: number[]; kernel: number[] };
const MODULES = [
  { id: 'kiwi-live', fixture: { hybrid: 'efi' as const } },
  { id: 'dmsquash', fixture: { hybrid: 'efi' as const, module: 'dmsquash' as const } },
];
/** What boots under a firmware: the firmware and its TFTP loader, in their registries' words. */
const bootPathOf = (firmware: FirmwareId) => `${FIRMWARES[firmware].description}; ${netbootLoaderFor(firmware, 'tftp').description}`;

/**
 * Time to `login:` of the same RAM deploy per firmware (SeaBIOS + pxelinux, OVMF + GRUB) and per
 * live module (the kiwi-live and the dmsquash EFI hybrid fixtures, which boot under both
 * firmwares), one boot at a time with two vCPUs, round-robin so that a drift of the machine hits
 * every cell alike. Also the time to the kernel's first line: what the firmware and its loader cost.
 */
export async function firmwareSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const isos = await Promise.all(MODULES.map((m) => fixtureIsoPath({ progress: true, ...m.fixture })));
  const cells = new Map<string, Cell>();
  for (let i = 0; i < runs; i++) {
    for (const [m, module] of MODULES.entries()) {
      for (const firmware of ['bios', 'uefi'] as const) {
        const boot = await bootOnce(isos[m]!, firmware);
        const cell = cells.get(`${module.id}/${firmware}`) ?? { login: [], kernel: [] };
        cell.login.push(boot.timeline.login!);
        cell.kernel.push(boot.timeline.kernel!);
        cells.set(`${module.id}/${firmware}`, cell);
        log(`firmware: ${module.id} ${firmware} login: after ${s(boot.timeline.login!)} (kernel after ${s(boot.timeline.kernel!)})`);
      }
    }
  }
  const rows = [...cells.entries()].map(([key, c]) => {
    const [module, firmware] = key.split('/') as [string, FirmwareId];
    return `| ${module} | ${firmware} | ${bootPathOf(firmware)} | ${s(median(c.kernel))} | ${s(median(c.login))} | ${c.login.map(s).join(', ')} |`;
  });
  return [{
    id: 'firmware',
    markdown: `### Time to login: per firmware and per live module

The RAM deploy over http of the EFI hybrid fixtures (kiwi-live and dmsquash), one boot at a time, smp 2, ${runs} run(s) each, round-robin; medians.

| live module | firmware | netboot loader | to \`Linux version\` | to \`login:\` | runs (login) |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }];
}
