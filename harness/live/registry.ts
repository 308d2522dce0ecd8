import { inputError } from '../errors.js';
import { dmsquash } from './dmsquash.js';
import { kiwiLive } from './kiwi-live.js';
import { registryOf } from '../util/choice-registry.js';

/** Every live module the harness knows: one profile each, registered here only. */
export const LIVE_MODULES = registryOf([kiwiLive, dmsquash], 'id');

/** A registered live module's id. */
export type LiveModuleId = keyof typeof LIVE_MODULES;

/** The ids of every registered live module, in registry order (for usage texts and errors). */
export const liveModuleIds = (): LiveModuleId[] => Object.keys(LIVE_MODULES) as LiveModuleId[];

export function liveModuleById(id: string): (typeof LIVE_MODULES)[LiveModuleId] {
  const profile = (LIVE_MODULES as Record<string, (typeof LIVE_MODULES)[LiveModuleId]>)[id];
  if (!profile) throw inputError(`unknown live module ${JSON.stringify(id)}`, id, `choose one of: ${liveModuleIds().join(', ')}`);
  return profile;
}
