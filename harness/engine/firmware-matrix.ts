import { FIRMWARES, firmwareById, type Firmware, type FirmwareId } from '../firmware/index.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';

/**
 * What the user asks for: one firmware, a list of them (every scenario on each), or 'both': every
 * firmware without Secure Boot (BIOS and UEFI, the seed's two PXE setups; the meaning it had before
 * a Secure Boot firmware existed).
 */
export type FirmwareChoice = FirmwareId | 'both' | readonly FirmwareId[];

/** The firmwares of a choice, in order, each once. */
export function firmwareIds(choice: FirmwareChoice): FirmwareId[] {
  if (choice === 'both') return (Object.values(FIRMWARES) as Firmware[]).filter((f) => !f.secureBoot).map((f) => f.id as FirmwareId);
  return typeof choice === 'string' ? [choice] : [...new Set(choice)];
}

/** One scenario on one firmware: what the worker pool runs. */
export interface ScenarioJob {
  scenario: ScenarioDefinition;
  firmware: Firmware;
}

/** The separator of a result's name and its firmware under --firmware both: `ram-deploy-http@uefi`. */
export const FIRMWARE_SUFFIX = '@';

/**
 * The jobs of a run. A scenario that pins its firmware runs on that one only; with several
 * firmwares, every other scenario runs once per firmware, each as a result of its own (`NAME@FIRMWARE`).
 */
export function firmwareJobs(scenarios: readonly ScenarioDefinition[], choice: FirmwareChoice): ScenarioJob[] {
  const all = firmwareIds(choice);
  return scenarios.flatMap((scenario) => {
    const ids = scenario.firmware ? [scenario.firmware] : all;
    const named = (id: FirmwareId) => (all.length > 1 && !scenario.firmware ? { ...scenario, name: `${scenario.name}${FIRMWARE_SUFFIX}${id}` } : scenario);
    return ids.map((id) => ({ scenario: named(id), firmware: firmwareById(id) }));
  });
}

/** A result's scenario name without its firmware suffix, and the firmware it names (if any). */
export function splitFirmware(name: string): { scenario: string; firmware?: string } {
  const at = name.lastIndexOf(FIRMWARE_SUFFIX);
  return at < 0 ? { scenario: name } : { scenario: name.slice(0, at), firmware: name.slice(at + 1) };
}
