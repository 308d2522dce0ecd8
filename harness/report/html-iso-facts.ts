import type { IsoFacts } from '../engine/run-observer.js';
import { esc } from './html-text.js';

/** The facts the harness read from the ISO before any boot (what `inspect` prints), folded at the top of the report. */
export function isoFactsSection(facts: IsoFacts | undefined): string {
  if (!facts) return '';
  const row = (name: string, value: string) => `<tr><td>${esc(name)}</td><td>${esc(value)}</td></tr>`;
  const chain = facts.boot.signedChain ? `${facts.boot.signedChain.shim} + ${facts.boot.signedChain.loader}` : 'none';
  const tools = facts.initrdTools.map((t) => `${t.tool}: ${t.path ? `/${t.path}` : 'MISSING'} (for ${t.neededFor})`).join('; ');
  return `<details id="iso-facts"><summary>The ISO, read before any boot: ${esc(facts.iso.volumeId)}, ${facts.memory.isoMiB} MiB, ${esc(facts.liveModule.id)}, ${esc(facts.boot.partitionTable)}${facts.boot.signedChain ? ', signed chain' : ''}</summary><table>
${row('file', `${facts.iso.path} (${facts.iso.sizeBytes} bytes)`)}
${row('volume id, preparer', `${facts.iso.volumeId}, ${facts.iso.preparer || '-'}`)}
${row('live module', `${facts.liveModule.id} (${facts.liveModule.evidence})`)}
${row('architecture', `${facts.architecture.id} (kernel and initrd in ${facts.architecture.loaderFolder})`)}
${row('dracut', facts.dracut ?? 'version not recorded in the initrd')}
${row('boot', `partition table ${facts.boot.partitionTable}, EFI system partition ${facts.boot.efiSystemPartition ? 'yes' : 'no'}, signed chain ${chain}`)}
${row('kernel', facts.kernel.signedBy === null ? 'signature not read' : facts.kernel.signedBy.length ? `signed by ${facts.kernel.signedBy.join('; ')}` : 'unsigned')}
${row('initrd tools', tools)}
${row('CA bundle', facts.caBundle ? `/${facts.caBundle}` : 'none in the initrd')}
${row('media check tag', facts.mediaCheckTag ? 'yes' : 'no')}
${row('memory', `${facts.memory.isoMiB} MiB, ${facts.memory.percentOfMemory} % of the default ${facts.memory.defaultMemoryMb} MiB`)}
</table></details>`;
}
