import { inputError } from '../errors.js';
import { registryOf } from '../util/choice-registry.js';
import type { Architecture } from './architecture.js';
import { aarch64 } from './aarch64.js';
import { x86_64 } from './x86_64.js';

/** Every architecture the harness boots: one entry each. */
export const ARCHITECTURES = registryOf([x86_64, aarch64], 'id');

export type ArchitectureId = keyof typeof ARCHITECTURES;

/** The registered architectures as a list, in registration order. */
export const REGISTERED_ARCHITECTURES: readonly Architecture[] = Object.values(ARCHITECTURES);

/** The architecture of an ISO that shows none of the registered loader folders (its kernel's extraction then names the missing file). */
export const DEFAULT_ARCHITECTURE: Architecture = x86_64;

export function architectureById(id: string): Architecture {
  const architecture = (ARCHITECTURES as Record<string, Architecture>)[id];
  if (!architecture) throw inputError(`unknown architecture ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return architecture;
}

export type { Architecture, KernelImageSignature, LoaderLocations } from './architecture.js';
export { architectureOfIso, checkKernelArchitecture, loaderFolderOf, peMachineOf } from './iso-architecture.js';
