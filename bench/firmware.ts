import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirmwareId } from '../harness/firmware/firmware.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { runScenarios } from '../harness/runner/run-all.js';
import type { BootResult } from '../harness/runner/result.js';
import { defineScenario } from '../harness/runner/scenario.js';
import { median, type Section } from './measure.js';

/** The RAM deploy over http with no checks: its verdict comes at the login prompt. */
const ramDeploy = defineScenario({
  name: 'bench-firmware-ram-deploy',
  summary: 'RAM deploy over http, verdict at the login prompt (no checks)',
  publish: { protocol: 'http' },
  boots: [{ name: 'network boot into RAM', from: 'network', checks: [] }],
});

async function bootOnce(iso: string, firmware: FirmwareId): Promise<BootResult> {
  const outDir = await mkdtemp(join(tmpdir(), 'pxe-bench-firmware-'));
  try {
    const [result] = await runScenarios({ isoPath: iso, scenarios: [ramDeploy], outDir, firmware, jobs: 1, cpus: 2, accel: 'tcg' });
    const boot = result!.boots[0]!;
    if (result!.verdict !== 'PASS') throw new Error(`the ${firmware} RAM deploy did not pass: ${result!.reason}`);
    return boot;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Time to `login:` of the same RAM deploy under BIOS (SeaBIOS + pxelinux) and UEFI (OVMF + GRUB),
 * one boot at a time with two vCPUs, alternating so that a drift of the machine hits both alike;
 * on the EFI hybrid fixture, which boots under both. Also the time to the kernel's first line:
 * what the firmware and its netboot loader cost.
 */
export async function firmwareSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const iso = await fixtureIsoPath({ progress: true, firmware: 'efi' });
  const times: Record<FirmwareId, { login: number[]; kernel: number[] }> = { bios: { login: [], kernel: [] }, uefi: { login: [], kernel: [] } };
  for (let i = 0; i < runs; i++) {
    for (const firmware of ['bios', 'uefi'] as const) {
      const boot = await bootOnce(iso, firmware);
      times[firmware].login.push(boot.timeline.login!);
      times[firmware].kernel.push(boot.timeline.kernel!);
      log(`firmware: ${firmware} login: after ${s(boot.timeline.login!)} (kernel after ${s(boot.timeline.kernel!)})`);
    }
  }
  const row = (f: FirmwareId, how: string) => `| ${f} | ${how} | ${s(median(times[f].kernel))} | ${s(median(times[f].login))} | ${times[f].login.map(s).join(', ')} |`;
  return [{
    id: 'firmware',
    markdown: `### Time to login: per firmware

The RAM deploy over http of the EFI hybrid fixture, one boot at a time, smp 2, ${runs} run(s) each, alternating; medians.

| firmware | netboot loader | to \`Linux version\` | to \`login:\` | runs (login) |
| --- | --- | --- | --- | --- |
${row('bios', 'SeaBIOS + iPXE, pxelinux over TFTP')}
${row('uefi', 'OVMF + iPXE (EFI), GRUB over TFTP')}
`,
  }];
}
