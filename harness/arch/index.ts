import { inputError } from '../errors.js';
import { registryOf } from '../util/choice-registry.js';
import type { Architecture } from './architecture.js';
import { x86_64 } from './x86_64.js';

/** Every architecture the harness boots: one entry each. */
export const ARCHITECTURES = registryOf([x86_64], 'id');

export type ArchitectureId = keyof typeof ARCHITECTURES;

/** The architecture of a run when nothing asks for another (the only one so far). */
export const DEFAULT_ARCHITECTURE: Architecture = x86_64;

export function architectureById(id: string): Architecture {
  const architecture = (ARCHITECTURES as Record<string, Architecture>)[id];
  if (!architecture) throw inputError(`unknown architecture ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return architecture;
}

export type { Architecture, KernelImageSignature, LoaderLocations } from './architecture.js';
export { architectureOfIso, checkKernelArchitecture, loaderFolderOf, peMachineOf } from './iso-architecture.js';
