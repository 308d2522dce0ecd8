import { DEFAULT_ARCHITECTURE } from '../arch/index.js';
import { firmwareFor, firmwaresOf, type Firmware, type FirmwareId } from '../firmware/index.js';
import type { ScenarioDefinition } from '../scenario/define-scenario.js';

/**
 * What the user asks for: one firmware, a list of them (every scenario on each), or 'both': every
 * firmware without Secure Boot (BIOS and UEFI, the seed's two PXE setups; the meaning it had before
 * a Secure Boot firmware existed).
 */
export type FirmwareChoice = FirmwareId | 'both' | readonly FirmwareId[];

/**
 * The firmwares of a choice, in order, each once: 'both' is every firmware of the architecture
 * without Secure Boot (x86_64: bios and uefi; aarch64: uefi), and no choice its default firmware.
 */
export function firmwareIds(choice: FirmwareChoice | undefined, architecture: { id: string; defaultFirmware: string } = DEFAULT_ARCHITECTURE): FirmwareId[] {
  if (choice === undefined) return [architecture.defaultFirmware as FirmwareId];
  if (choice === 'both') return firmwaresOf(architecture.id).filter((f) => !f.secureBoot).map((f) => f.id as FirmwareId);
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
export function firmwareJobs(scenarios: readonly ScenarioDefinition[], choice: FirmwareChoice | undefined, architecture: { id: string; defaultFirmware: string }): ScenarioJob[] {
  const all = firmwareIds(choice, architecture);
  return scenarios.flatMap((scenario) => {
    const ids = scenario.firmware ? [scenario.firmware] : all;
    const named = (id: FirmwareId) => (all.length > 1 && !scenario.firmware ? { ...scenario, name: `${scenario.name}${FIRMWARE_SUFFIX}${id}` } : scenario);
    return ids.map((id) => ({ scenario: named(id), firmware: firmwareFor(id, architecture.id) }));
  });
}

/** A result's scenario name without its firmware suffix, and the firmware it names (if any). */
export function splitFirmware(name: string): { scenario: string; firmware?: string } {
  const at = name.lastIndexOf(FIRMWARE_SUFFIX);
  return at < 0 ? { scenario: name } : { scenario: name.slice(0, at), firmware: name.slice(at + 1) };
}
