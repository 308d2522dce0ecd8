import { homedir } from 'node:os';
import { join } from 'node:path';

/** The harness's cache on this host (fixture ISOs, KVM probes, derived copies of ISOs), as build-fixture.sh finds it. */
export const cacheDir = (): string => process.env.PXE_HARNESS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pxe-harness');
