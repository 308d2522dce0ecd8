import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isHarnessError } from '../../harness/errors.js';
import { requireGrubEfiModules } from '../../harness/netboot/grub-efi-modules.js';
import { useTempHarnessCache } from '../helpers/temp-cache.js';

// GRUB's EFI modules of the guest's architecture: the host's package, else the copy
// scripts/fetch-grub-efi.sh unpacked into the cache (an amd64 host has no grub-efi-arm64-bin).
const cache = useTempHarnessCache('pxe-grub-modules-');

describe("GRUB's EFI modules per platform", () => {
  it('missing: a host error that names where it looked and the script that fetches them', async () => {
    const error = await requireGrubEfiModules('arm64-efi').then(() => undefined, (e: unknown) => e);
    expect(isHarnessError(error) && error.kind).toBe('host');
    expect(String((error as Error).message)).toContain(join(cache(), 'grub-arm64-efi/usr/lib/grub/arm64-efi'));
    expect(String(isHarnessError(error) && error.context.fix)).toMatch(/scripts\/fetch-grub-efi\.sh arm64/);
  });

  it("fetched: the cache's folder, and the package it came from (which dpkg on the host cannot name)", async () => {
    const dir = join(cache(), 'grub-arm64-efi', 'usr/lib/grub/arm64-efi');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'kernel.img'), 'k');
    await writeFile(join(cache(), 'grub-arm64-efi', 'PACKAGE'), 'Package: grub-efi-arm64-bin\nVersion: 2.06-13\nArchitecture: arm64\n');
    expect(await requireGrubEfiModules('arm64-efi')).toEqual({ dir, package: { name: 'grub-efi-arm64-bin:arm64', version: '2.06-13' } });
  });

  it("the host's: its folder, and its Debian package with the version dpkg knows (a boot's components name it)", async () => {
    const found = await requireGrubEfiModules('x86_64-efi');
    expect(found.dir).toBe('/usr/lib/grub/x86_64-efi');
    expect(found.package.name).toBe('grub-efi-amd64-bin');
    expect(found.package.version).toMatch(/^\d/);
  });
});
