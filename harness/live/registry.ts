import { inputError } from '../errors.js';
import { dmsquash } from './dmsquash.js';
import { kiwiLive } from './kiwi-live.js';
import type { LiveModuleId, LiveModuleProfile } from './live-module.js';

/** Every live module the harness knows: one profile each, registered here only. */
export const LIVE_MODULES: Readonly<Record<LiveModuleId, LiveModuleProfile>> = { 'kiwi-live': kiwiLive, dmsquash };

export function liveModuleById(id: string): LiveModuleProfile {
  const profile = (LIVE_MODULES as Record<string, LiveModuleProfile>)[id];
  if (!profile) throw inputError(`unknown live module ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(LIVE_MODULES).join(', ')}`);
  return profile;
}
