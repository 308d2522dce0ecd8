import { dir as tmpDir } from 'tmp-promise';
import { readSigners } from '../iso/efi-binary.js';
import type { IsoFacts } from './iso-facts.js';
import { firmwareFor, firmwaresOf, type Firmware } from '../firmware/index.js';
import { dracutVersion } from '../live/index.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';
import { concernsScenario, type KnownIssue } from './known-issues.js';
import { RUN_DEFAULTS } from './run-config.js';
import { whyNotApplicable } from './run-scenario.js';
import { readRunTarget, type RunTarget } from './run-target.js';

/*
 * `pxe-harness inspect`: what the harness reads from an ISO before any boot, and what follows for
 * each scenario on each firmware: SKIPPED (with the reason a run would give), expected to meet a
 * known issue (with its link), or to be booted. Everything is read on the host: no mount, no root.
 */

const CA_BUNDLES = ['etc/ssl/certs/ca-certificates.crt', 'etc/pki/tls/certs/ca-bundle.crt', 'var/lib/ca-certificates/ca-bundle.pem', 'etc/ssl/ca-bundle.pem'];

export interface ScenarioOutlook {
  scenario: string;
  firmware: string;
  outlook: 'boots' | 'SKIP' | 'known issue';
  reason?: string;
}

export interface IsoInspection extends IsoFacts {
  scenarios: ScenarioOutlook[];
}

/** The live module's tools (LiveModuleProfile.initrdTools), each with its path in the initrd or null. */
function initrdTools(tools: RunTarget['liveModule']['initrdTools'], files: readonly string[]): IsoInspection['initrdTools'] {
  return tools.map(({ tool, neededFor }) => ({ tool, neededFor, path: files.find((f) => /^(usr\/)?s?bin\//.test(f) && f.endsWith(`/${tool}`)) ?? null }));
}

/** Each scenario on each firmware: what a run would do with it, before it boots. */
export function scenarioOutlooks(target: Pick<RunTarget, 'iso' | 'arch' | 'liveModule'>, scenarios: readonly ScenarioDefinition[], firmwares: readonly Firmware[], knownIssues: readonly KnownIssue[]): ScenarioOutlook[] {
  return firmwares.flatMap((firmware) =>
    scenarios.map((scenario) => {
      const skip = whyNotApplicable(scenario, { iso: target.iso, arch: target.arch, liveModule: target.liveModule, firmware, netboot: RUN_DEFAULTS.netboot });
      if (skip) return { scenario: scenario.name, firmware: firmware.id, outlook: 'SKIP' as const, reason: skip };
      const issue = knownIssues.find((i) => concernsScenario(i, { scenario: scenario.name, firmware: firmware.id, liveModule: target.liveModule.id, arch: target.arch.id }));
      return issue
        ? { scenario: scenario.name, firmware: firmware.id, outlook: 'known issue' as const, reason: `boot "${issue.boot}": ${issue.why} (${issue.link})` }
        : { scenario: scenario.name, firmware: firmware.id, outlook: 'boots' as const };
    }),
  );
}

/** What the harness reads from the ISO before any boot, from the run's target: every run's reports carry it. */
export async function isoFacts(target: Omit<RunTarget, 'evidence'>, evidence: string): Promise<IsoFacts> {
  const { iso } = target;
  const files = iso.live.initrdFiles;
  // The facts inform; a run must not fail for one it cannot read (openssl missing): null says so.
  const kernel = await readSigners(target.loader.kernelPath).catch(() => null);
  const isoMiB = Math.ceil(iso.sizeBytes / 2 ** 20);
  return {
    iso: { path: iso.path, sizeBytes: iso.sizeBytes, volumeId: iso.volumeId, preparer: iso.preparer, publisher: iso.publisher },
    liveModule: { id: target.liveModule.id, evidence },
    architecture: { id: target.arch.id, loaderFolder: target.arch.loaderLocations.kernel.replace(/\/[^/]*$/, '') },
    dracut: dracutVersion(files)?.text ?? null,
    boot: { partitionTable: iso.boot.partitionTable, efiSystemPartition: iso.boot.efiSystemPartition, signedChain: iso.boot.signedChain ?? null },
    kernel: { signedBy: kernel ? kernel.subjects : null },
    initrdTools: initrdTools(target.liveModule.initrdTools, files),
    caBundle: CA_BUNDLES.find((b) => files.includes(b)) ?? null,
    mediaCheckTag: iso.live.isomd5Tag,
    squashfs: iso.live.squashfs ? { sizeBytes: iso.live.squashfs.sizeBytes, holdsRootfsImage: iso.live.squashfs.holdsRootfsImage } : null,
    memory: { defaultMemoryMb: RUN_DEFAULTS.memoryMb, isoMiB, percentOfMemory: Math.round((isoMiB / RUN_DEFAULTS.memoryMb) * 100) },
  };
}

export async function inspectIsoFile(isoPath: string, options: { scenarios: readonly ScenarioDefinition[]; knownIssues: readonly KnownIssue[]; firmwares?: readonly string[] }): Promise<IsoInspection> {
  const loaderDir = await tmpDir({ prefix: 'pxe-harness-inspect-', unsafeCleanup: true });
  try {
    const { evidence, ...target } = await readRunTarget({ isoPath }, loaderDir.path);
    // Every firmware of the ISO's architecture, or those asked for by name (as that architecture has them).
    const firmwares = options.firmwares?.map((id) => firmwareFor(id, target.arch.id)) ?? firmwaresOf(target.arch.id);
    const scenarios = scenarioOutlooks(target, options.scenarios, firmwares, options.knownIssues);
    return { ...(await isoFacts(target, evidence)), scenarios };
  } finally {
    await loaderDir.cleanup();
  }
}
