import { inputError } from '../errors.js';
import { registryOf } from '../util/choice-registry.js';
import type { Firmware } from './firmware.js';
import { ovmf } from './ovmf.js';
import { ovmfSecure } from './ovmf-secure.js';
import { seabios } from './seabios.js';

/** Every firmware the harness boots with: one entry each. */
export const FIRMWARES = registryOf([seabios, ovmf, ovmfSecure], 'id');

/** A registered firmware's id. */
export type FirmwareId = keyof typeof FIRMWARES;

/** The firmware of a run that names none (the CLI's --firmware default, runScenarios' `firmware`). */
export const DEFAULT_FIRMWARE_ID: FirmwareId = seabios.id;

export function firmwareById(id: string): Firmware {
  const firmware = (FIRMWARES as Record<string, Firmware>)[id];
  if (!firmware) throw inputError(`unknown firmware ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(FIRMWARES).join(', ')}`);
  return firmware;
}

export { probeMachine } from './probe-machine.js';
export type { Firmware } from './firmware.js';
