import { inputError } from '../errors.js';
import type { LiveImageFacts, LiveModuleProfile } from './live-module.js';
import { LIVE_MODULES, type LiveModuleId } from './registry.js';

const carries = (facts: LiveImageFacts, profile: LiveModuleProfile) =>
  facts.initrdFiles.find((f) => profile.initrdMarkers.some((m) => m.test(f)));

/**
 * The live module that boots this ISO, read from its initrd's files (KIWI puts exactly one of
 * them in); `override` (--live-module) must agree with what the initrd carries. An ISO with
 * neither, or with one that cannot boot from the network, is refused with the reason.
 */
export function detectLiveModule(isoPath: string, facts: LiveImageFacts, override?: LiveModuleId): { profile: LiveModuleProfile; evidence: string } {
  const found = Object.values(LIVE_MODULES).map((profile) => ({ profile, file: carries(facts, profile) })).filter((f) => f.file);
  const describeFound = found.map((f) => `${f.profile.id} (${f.file})`).join(' and ') || 'neither';
  let chosen = found[0];
  if (override) {
    chosen = found.find((f) => f.profile.id === override);
    if (!chosen) {
      throw inputError(
        `--live-module ${override} does not match ISO ${isoPath}: its initrd carries ${describeFound}`,
        override,
        found.length ? `drop --live-module, or pass --live-module ${found[0]!.profile.id}` : 'pass a KIWI live ISO built with flags="overlay" (kiwi-live) or flags="dmsquash"',
      );
    }
  } else if (found.length !== 1) {
    throw inputError(
      found.length ? `ISO ${isoPath}: its initrd carries ${describeFound}; say which boots it` : `ISO ${isoPath} has no live dracut module in its initrd: neither kiwi-live nor dmsquash-live`,
      isoPath,
      found.length ? `pass --live-module ${found.map((f) => f.profile.id).join('|')}` : 'pass a KIWI live ISO built with flags="overlay" (kiwi-live) or flags="dmsquash" (dmsquash-live + livenet)',
    );
  }
  const { profile, file } = chosen!;
  const needs = profile.netbootRequires;
  if (needs && !facts.initrdFiles.some((f) => needs.file.test(f))) {
    throw inputError(`ISO ${isoPath} carries ${profile.id} but not ${needs.what}`, isoPath, `rebuild the ISO with ${needs.what.split(',')[0]} in its initrd`);
  }
  return { profile, evidence: `${file} in the initrd${override ? ` (as --live-module says)` : ''}` };
}
