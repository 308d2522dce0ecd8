import { inputError } from '../errors.js';
import { dmsquash } from './dmsquash.js';
import { kiwiLive } from './kiwi-live.js';
import type { LiveModuleId, LiveModuleProfile } from './live-module.js';

/** Every live module the harness knows: one profile each, registered here only. */
export const LIVE_MODULES: Readonly<Record<LiveModuleId, LiveModuleProfile>> = { 'kiwi-live': kiwiLive, dmsquash };

/** The ids of every registered live module, in registry order (for usage texts and errors). */
export const liveModuleIds = (): LiveModuleId[] => Object.keys(LIVE_MODULES) as LiveModuleId[];

export function liveModuleById(id: string): LiveModuleProfile {
  const profile = (LIVE_MODULES as Record<string, LiveModuleProfile>)[id];
  if (!profile) throw inputError(`unknown live module ${JSON.stringify(id)}`, id, `choose one of: ${liveModuleIds().join(', ')}`);
  return profile;
}
