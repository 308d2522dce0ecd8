import { readFileSync } from 'node:fs';
import { inputError } from '../harness/errors.js';
import { FIRMWARES } from '../harness/firmware/index.js';
import { NETBOOT_FAMILIES } from '../harness/netboot/index.js';

/** What a run writes into each boot folder (harness/engine/boot-stages.ts) for `reproduce`. */
export interface ReproduceSpec {
  iso: string;
  scenario: string;
  boot: number;
  login: string;
  firmware?: string;
  netboot?: string;
  scenarioFile?: string;
  /** The run's CA (`--tls-ca CERT,KEY`), for a scenario that publishes with a trusted certificate. */
  tlsCa?: string;
}

export const REPRODUCE_FIX = 'pass a boot folder written by pxe-harness run (its reproduce.json is written by the run)';

/** Each field: what it must be, and whether a value is of that kind. */
const FIELDS: Record<keyof ReproduceSpec, { want: string; ok: (v: unknown) => boolean; optional?: true }> = {
  iso: { want: 'the path of the ISO', ok: (v) => typeof v === 'string' && v !== '' },
  scenario: { want: 'the name of the scenario', ok: (v) => typeof v === 'string' && v !== '' },
  boot: { want: 'the index of the boot, a whole number from 0', ok: (v) => Number.isInteger(v) && (v as number) >= 0 },
  login: { want: 'USER:PASSWORD', ok: (v) => typeof v === 'string' },
  firmware: { want: `the id of a firmware (${Object.keys(FIRMWARES).join(', ')})`, ok: (v) => typeof v === 'string' && Object.hasOwn(FIRMWARES, v), optional: true },
  netboot: { want: `a netboot path (${Object.keys(NETBOOT_FAMILIES).join(', ')})`, ok: (v) => typeof v === 'string' && Object.hasOwn(NETBOOT_FAMILIES, v), optional: true },
  scenarioFile: { want: 'the path of the scenario file', ok: (v) => typeof v === 'string' && v !== '', optional: true },
  tlsCa: { want: 'CERT,KEY: the paths of the run\'s CA', ok: (v) => typeof v === 'string' && v.split(',').length === 2, optional: true },
};

/**
 * The reproduce.json of a boot folder, read and checked: a file that is not JSON is refused with
 * the parser's message, a field missing or of the wrong kind with its name; both name the file.
 */
export function readReproduceSpec(file: string): ReproduceSpec {
  let text: string;
  let spec: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw inputError(`${file} cannot be read: ${(cause as Error).message}`, file, REPRODUCE_FIX);
  }
  try {
    spec = JSON.parse(text);
  } catch (cause) {
    throw inputError(`${file} is not JSON: ${(cause as Error).message}`, file, REPRODUCE_FIX);
  }
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw inputError(`${file} must hold a JSON object, got ${JSON.stringify(spec)}`, file, REPRODUCE_FIX);
  for (const [field, { want, ok, optional }] of Object.entries(FIELDS)) {
    const value = (spec as Record<string, unknown>)[field];
    if (value === undefined && optional) continue;
    const got = value === undefined ? 'it is missing' : `got ${JSON.stringify(value)}`;
    if (!ok(value)) throw inputError(`${file}: field ${field} must be ${want}, ${got}`, `${file} (${field})`, REPRODUCE_FIX);
  }
  return spec as ReproduceSpec;
}
