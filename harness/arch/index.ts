import { inputError } from '../errors.js';
import type { Architecture, ArchitectureId } from './architecture.js';
import { x86_64 } from './x86_64.js';

/** Every architecture the harness boots: one entry each. */
export const ARCHITECTURES: Readonly<Record<ArchitectureId, Architecture>> = { x86_64 };

/** The architecture of a run when nothing asks for another (the only one so far). */
export const DEFAULT_ARCHITECTURE: Architecture = x86_64;

export function architectureById(id: string): Architecture {
  const architecture = (ARCHITECTURES as Record<string, Architecture>)[id];
  if (!architecture) throw inputError(`unknown architecture ${JSON.stringify(id)}`, id, `choose one of: ${Object.keys(ARCHITECTURES).join(', ')}`);
  return architecture;
}

export type { Architecture, ArchitectureId, LoaderLocations } from './architecture.js';
