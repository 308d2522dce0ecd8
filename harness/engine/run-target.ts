import { resolve } from 'node:path';
import { REGISTERED_ARCHITECTURES, architectureById, architectureOfIso, checkKernelArchitecture, DEFAULT_ARCHITECTURE, type Architecture } from '../arch/index.js';
import { listIsoFolder } from '../iso/iso-folder.js';
import { readHead } from '../iso/read-head.js';
import { readIsoBootFacts } from '../iso/boot-facts.js';
import { inspectIso } from '../iso/iso-image.js';
import { readLiveImageFacts } from '../iso/live-image-facts.js';
import { extractLoaderFiles } from '../iso/loader-files.js';
import { detectLiveModule } from '../live/index.js';
import type { RunEnvironment } from './environment.js';
import type { RunOptions } from './run-config.js';

/** What the run boots, read from the ISO once: kernel and initrd, the live module, the facts checks need. */
export interface RunTarget {
  iso: RunEnvironment['iso'];
  arch: RunEnvironment['arch'];
  loader: RunEnvironment['loader'];
  liveModule: RunEnvironment['liveModule'];
  /** Why this live module: the initrd file that names it. */
  evidence: string;
}

/**
 * KIWI keeps kernel and initrd where the architecture says (the ISO's loader folder names it, the
 * kernel's header must agree), whichever live module the initrd carries; the initrd says which
 * module it is. A wrong --arch or --live-module is refused here, before the output folder is made.
 */
export async function readRunTarget(options: Pick<RunOptions, 'isoPath' | 'inspectedIso' | 'liveModule' | 'arch'>, loaderDir: string): Promise<RunTarget> {
  const isoPath = resolve(options.isoPath);
  const known = options.inspectedIso && resolve(options.inspectedIso.path) === isoPath ? { ...options.inspectedIso, path: isoPath } : undefined;
  const iso = known ?? (await inspectIso(isoPath));
  const arch = await isoArchitecture(iso.path, options.arch);
  const loader = await extractLoaderFiles(iso.path, loaderDir, arch.loaderLocations, arch.id);
  checkKernelArchitecture(await readHead(loader.kernelPath, 4096), arch, REGISTERED_ARCHITECTURES, arch.loaderLocations.kernel, iso.path);
  const live = await readLiveImageFacts(iso.path, loader.initrdPath, arch.loaderLocations.initrd);
  const { profile: liveModule, evidence } = detectLiveModule(iso.path, live, options.liveModule);
  return { iso: { ...iso, boot: await readIsoBootFacts(iso.path), live }, arch, loader, liveModule, evidence };
}

/**
 * The ISO's architecture alone, from its /boot listing (one xorriso call, no extraction): what a
 * caller must know before the run reads the rest (the accelerator: KVM runs only the host's own).
 * `askedId` (--arch) must agree with the ISO, as in readRunTarget.
 */
export async function isoArchitecture(isoPath: string, askedId?: string): Promise<Architecture> {
  const asked = askedId === undefined ? undefined : architectureById(askedId);
  return architectureOfIso(REGISTERED_ARCHITECTURES, await listIsoFolder(resolve(isoPath), '/boot'), asked, DEFAULT_ARCHITECTURE);
}
