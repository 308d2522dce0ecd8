import { ARCHITECTURES } from '../harness/arch/index.js';
import { fixtureIsoPath } from '../harness/iso/fixture-iso.js';
import { bootOnce } from './firmware.js';
import { median, seconds as s, type Section } from './measure.js';

/** Each architecture's fixture: the same description, the x86_64 one as the EFI hybrid that boots under uefi too. */
const FIXTURES = [
  { arch: 'x86_64', fixture: { hybrid: 'efi' as const } },
  { arch: 'aarch64', fixture: { arch: 'aarch64' } },
];

/**
 * Time to `login:` of the same RAM deploy over http under each architecture's UEFI (OVMF on
 * x86_64, AAVMF on aarch64), one boot at a time with two vCPUs under TCG, round-robin; and the
 * ratio to x86_64's, which is what Architecture.tcgSlowdown must cover.
 */
export async function architectureSections(runs: number, log: (line: string) => void): Promise<Section[]> {
  const isos = await Promise.all(FIXTURES.map((f) => fixtureIsoPath({ progress: true, ...f.fixture })));
  const cells = FIXTURES.map((f) => ({ ...f, login: [] as number[], kernel: [] as number[] }));
  for (let i = 0; i < runs; i++) {
    for (const [n, cell] of cells.entries()) {
      const boot = await bootOnce(isos[n]!, 'uefi');
      cell.login.push(boot.timeline.login!);
      cell.kernel.push(boot.timeline.kernel!);
      log(`architectures: ${cell.arch} login: after ${s(boot.timeline.login!)} (kernel after ${s(boot.timeline.kernel!)})`);
    }
  }
  const base = median(cells[0]!.login);
  const rows = cells.map((c) => {
    const factor = median(c.login) / base;
    return `| ${c.arch} | ${s(median(c.kernel))} | ${s(median(c.login))} | ${factor.toFixed(2)} | ${ARCHITECTURES[c.arch as keyof typeof ARCHITECTURES].tcgSlowdown} | ${c.login.map(s).join(', ')} |`;
  });
  return [{
    id: 'architectures',
    markdown: `### Time to login: per architecture under TCG

The RAM deploy over http of the same description built for each architecture, under its UEFI (OVMF on x86_64 for the EFI hybrid, AAVMF on aarch64), one boot at a time, smp 2, ${runs} run(s) each, round-robin; medians. The factor is the time to \`login:\` against x86_64's; the architecture's \`tcgSlowdown\` (by which the harness stretches the waits on the guest) must be at least that.

| architecture | to \`Linux version\` | to \`login:\` | factor | tcgSlowdown | runs (login) |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`,
  }];
}
