/*
 * The main job (`npm run main` without --iso) as one run: every project below boots in one worker
 * pool, so that the boots of one fixture fill the lanes another leaves idle, longest first from
 * the durations of the last main job into the same --out. scripts/main.sh builds the fixtures and
 * names them in the environment; each project reports into OUT/<name>/.
 */
import { defineConfig } from 'pxe-harness';

/** A fixture's path from scripts/main.sh, or a clear error when the config is used without it. */
function fixture(variable: string): string {
  const path = process.env[variable];
  if (!path) throw new Error(`${variable} is not set: this config is the main job's, run it with npm run main`);
  return path;
}

/** The test CA a fixture's image trusts, kept beside its ISO (ram-deploy-https-verified). */
const tlsCaOf = (iso: string) => `${iso.replace(/\/[^/]*$/, '')}/tls-ca.crt,${iso.replace(/\/[^/]*$/, '')}/tls-ca.key`;

const mbr = fixture('PXE_MAIN_MBR_ISO');
const efi = fixture('PXE_MAIN_EFI_ISO');
const dmsquash = fixture('PXE_MAIN_DMSQUASH_ISO');
const aarch64 = fixture('PXE_MAIN_AARCH64_ISO');

export default defineConfig({
  projects: [
    // kiwi-live: every scenario under BIOS on the MBR hybrid, under UEFI on the EFI hybrid (which is
    // what boots a deployed disk under UEFI).
    { name: 'bios', iso: mbr, firmware: 'bios', tlsCa: tlsCaOf(mbr) },
    { name: 'uefi', iso: efi, firmware: 'uefi', tlsCa: tlsCaOf(efi) },
    // Secure Boot on the EFI hybrid's shim chain: the scenarios whose boot chain differs with it
    // (each loader transport, each disk boot, the refused kernel, a loader missing its kernel);
    // the rest of the boot after the kernel is the same as under uefi.
    {
      name: 'uefi-secure', iso: efi, firmware: 'uefi-secure',
      scenario: ['ram-deploy-http', 'ram-deploy-http-lpxelinux', 'disk-deploy-standalone', 'persistent-lifecycle', 'secure-boot-kernel-altered', 'netboot-kernel-missing'],
    },
    // dmsquash: every scenario under both firmwares (those it cannot do are SKIPPED with the reason).
    { name: 'dmsquash', iso: dmsquash, firmware: 'both', tlsCa: tlsCaOf(dmsquash) },
    // aarch64: every scenario under AAVMF on the same description built for arm64 (its only firmware).
    { name: 'aarch64', iso: aarch64, firmware: 'uefi', tlsCa: tlsCaOf(aarch64) },
  ],
});
