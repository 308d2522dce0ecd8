import { inputError } from '../errors.js';
import { registryOf } from '../util/choice-registry.js';
import { aavmf } from './aavmf.js';
import type { Firmware } from './firmware.js';
import { ovmf } from './ovmf.js';
import { ovmfSecure } from './ovmf-secure.js';
import { seabios } from './seabios.js';

/**
 * The firmware names a run can ask for (`--firmware`), each as x86_64 has it. The firmware that
 * boots an ISO is the one of that name for the ISO's architecture (firmwareFor).
 */
export const FIRMWARES = registryOf([seabios, ovmf, ovmfSecure], 'id');

/** The firmwares of the other architectures, each under a name of FIRMWARES (AAVMF is aarch64's uefi). */
const OTHER_ARCHITECTURES: readonly Firmware[] = [aavmf];

/** Every firmware the harness boots with. */
export const ALL_FIRMWARES: readonly Firmware[] = [...(Object.values(FIRMWARES) as Firmware[]), ...OTHER_ARCHITECTURES];

/** A registered firmware's name. */
export type FirmwareId = keyof typeof FIRMWARES;

/** A firmware by its name, as x86_64 has it (the names of the command line). */
export function firmwareById(id: string): Firmware {
  const firmware = (FIRMWARES as Record<string, Firmware>)[id];
  if (!firmware) throw inputError(`unknown firmware ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(FIRMWARES).join(', ')}`);
  return firmware;
}

/** The firmwares that start an architecture, in registry order. */
export const firmwaresOf = (architecture: string): Firmware[] => ALL_FIRMWARES.filter((f) => f.architecture === architecture);

/**
 * The firmware of that name for the architecture; when the architecture has none of that name,
 * the name's own (another architecture's), which the scenario's applicability then refuses with
 * the reason (firmwareMissing).
 */
export function firmwareFor(id: string, architecture: string): Firmware {
  return firmwaresOf(architecture).find((f) => f.id === id) ?? firmwareById(id);
}

/** Why a firmware cannot boot an architecture's ISO (a SKIP reason), undefined when it can. */
export function firmwareMissing(firmware: Firmware, architecture: string): string | undefined {
  if (firmware.architecture === architecture) return undefined;
  const has = firmwaresOf(architecture).map((f) => f.id);
  return `it boots under ${firmware.id} (${firmware.description}), a firmware of ${firmware.architecture}, and the ISO is for ${architecture}, which boots under ${has.join(', ') || 'no registered firmware'}`;
}

export { probeMachine } from './probe-machine.js';
export type { Firmware } from './firmware.js';
