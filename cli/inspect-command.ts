import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inputError } from '../harness/errors.js';
import { inspectIsoFile, type IsoInspection } from '../harness/engine/inspect-iso.js';
import { loadKnownIssues } from '../harness/engine/known-issues.js';
import { firmwareIds } from '../harness/engine/firmware-matrix.js';
import { packageRoot } from '../harness/util/package-root.js';
import { commandArgs } from './command-args.js';
import { parseFirmware, pathOption } from './flags.js';
import { selectScenarios, SELECTION_FLAGS } from './select-scenarios.js';
import { showUsage } from './usage.js';

const INSPECT_FLAGS = {
  iso: { type: 'string' },
  json: { type: 'boolean', default: false },
  firmware: { type: 'string' },
  'known-issues': { type: 'string' },
  ...SELECTION_FLAGS,
} as const;

/** inspect --iso X: what the harness reads from the ISO before any boot, and each scenario's outlook; --json for CI. */
export async function inspectCommand(argv: string[]): Promise<number> {
  const args = commandArgs('inspect', argv, INSPECT_FLAGS);
  if (args === 'help') return showUsage();
  const { values } = parseArgs({ args, options: INSPECT_FLAGS, strict: true });
  const iso = pathOption('iso', values.iso, 'a live ISO file');
  if (iso === undefined) throw inputError('inspect needs --iso', 'inspect', 'pass the live ISO: pxe-harness inspect --iso build/x.iso');
  const firmwares = values.firmware === undefined ? undefined : firmwareIds(parseFirmware(values.firmware));
  const scenarios = await selectScenarios(values);
  const knownIssues = await loadKnownIssues(pathOption('known-issues', values['known-issues'], 'a known-issues JSON file') ?? join(packageRoot(), 'known-issues.json'));
  const inspection = await inspectIsoFile(iso, { scenarios, knownIssues, ...(firmwares ? { firmwares } : {}) });
  process.stdout.write(values.json ? `${JSON.stringify(inspection, null, 2)}\n` : describeInspection(inspection));
  return 0;
}

/** The inspection for a person: the facts, then each scenario that will not simply boot. */
export function describeInspection(i: IsoInspection): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const tools = i.initrdTools.map((t) => `  ${t.tool.padEnd(12)} ${t.path ? `/${t.path}` : 'MISSING'}  (for ${t.neededFor})`);
  // A known issue's whole story is in --json and known-issues.json; a line here says what it is.
  const short = (text = '') => (text.length > 200 ? `${text.slice(0, 199)}…` : text);
  const notBooting = i.scenarios.filter((s) => s.outlook !== 'boots').map((s) => `  ${s.outlook.padEnd(11)} ${s.scenario}@${s.firmware}: ${s.outlook === 'known issue' ? short(s.reason) : s.reason}`);
  const booting = i.scenarios.filter((s) => s.outlook === 'boots');
  return [
    `ISO            ${i.iso.path} (${i.iso.sizeBytes} bytes, volume id ${i.iso.volumeId}, preparer ${i.iso.preparer || '-'})`,
    `live module    ${i.liveModule.id} (${i.liveModule.evidence})`,
    `architecture   ${i.architecture.id} (kernel and initrd in ${i.architecture.loaderFolder})`,
    `dracut         ${i.dracut ?? 'version not recorded in the initrd'}`,
    // Measured on KIWI 11 ISOs: the preparer names KIWI without a version, and nothing outside the
    // live root's file system (squashfs, often an ext4 image inside it) records one.
    `KIWI           ${/kiwi/i.test(i.iso.preparer) ? 'built by KIWI (the preparer says so); its version is not recorded outside the live root' : 'the preparer does not name KIWI'}`,
    `boot           partition table ${i.boot.partitionTable}, EFI system partition ${yes(i.boot.efiSystemPartition)}, signed chain ${i.boot.signedChain ? `${i.boot.signedChain.shim} + ${i.boot.signedChain.loader}` : 'none'}`,
    `kernel         ${i.kernel.signedBy === null ? 'signature not read (is openssl installed?)' : i.kernel.signedBy.length ? `signed by ${i.kernel.signedBy.join('; ')}` : 'unsigned'}`,
    `CA bundle      ${i.caBundle ? `/${i.caBundle}` : 'none in the initrd (https can verify no certificate)'}`,
    `media check    ${i.mediaCheckTag ? 'implantisomd5 tag present' : 'no implantisomd5 tag'}`,
    `live root      ${i.squashfs ? `LiveOS/squashfs.img, ${i.squashfs.holdsRootfsImage ? 'a file system image inside (device-mapper overlay possible)' : 'the root tree itself'}` : 'no LiveOS/squashfs.img'}`,
    `memory         the ISO is ${i.memory.isoMiB} MiB, ${i.memory.percentOfMemory} % of the default guest memory (${i.memory.defaultMemoryMb} MiB), all of it in RAM on a RAM deploy`,
    'initrd tools',
    ...tools,
    `scenarios      ${booting.length} of ${i.scenarios.length} boot; the others:`,
    ...notBooting,
    '',
  ].join('\n');
}
