import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { hostError, inputError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/**
 * Which hybrid ISO a fixture is: 'mbr' an MBR hybrid (BIOS-bootable only), 'efi' an EFI hybrid
 * (GPT with an EFI system partition). A property of the image, not the firmware a run boots with.
 */
export type FixtureHybrid = 'mbr' | 'efi';

/** The built-in fixtures of each live module: the dmsquash fixture is built as an EFI hybrid only. */
const FIXTURE_HYBRIDS: Readonly<Record<string, FixtureHybrid>> = { 'kiwi-live': 'mbr', dmsquash: 'efi' };

/** build-fixture.sh names the hybrid after the firmware it is built for (--firmware bios|efi). */
const BUILD_SCRIPT_FIRMWARE: Readonly<Record<FixtureHybrid, string>> = { mbr: 'bios', efi: 'efi' };

/**
 * The built-in fixture ISO: images/build-fixture.sh builds it on first use (KIWI 11 in a sid
 * build root, a few minutes, needs root) and prints the cached path; later calls only print it.
 * hybrid 'mbr' is the MBR hybrid, 'efi' the EFI hybrid of the same description (default: the
 * module's own fixture, FIXTURE_HYBRIDS);
 * module 'kiwi-live' (flags="overlay", the default) or 'dmsquash' (dracut's dmsquash-live + livenet).
 * arch: the same description built for another architecture (aarch64), an EFI hybrid.
 * reference: not a fixture but the benchmark's yardstick, a default KIWI live ISO (images/reference).
 */
export async function fixtureIsoPath({ build = true, progress = true, hybrid = undefined as FixtureHybrid | undefined, module = 'kiwi-live' as string, reference = false, arch = undefined as string | undefined } = {}): Promise<string> {
  // Another architecture than x86_64 is built as an EFI hybrid only (build-fixture.sh --arch).
  const image = arch ? 'efi' : (hybrid ?? FIXTURE_HYBRIDS[module]);
  // A live module the project builds no fixture of (images/ knows kiwi-live and dmsquash): the user's ISO is needed.
  if (!reference && !image) throw inputError(`the project has no built-in fixture ISO of the live module ${module}`, module, 'pass an ISO of that module with --iso');
  const script = join(packageRoot(), 'images', 'build-fixture.sh');
  const which = reference ? ['--reference'] : ['--firmware', BUILD_SCRIPT_FIRMWARE[image ?? 'mbr'], '--module', module, ...(arch ? ['--arch', arch] : [])];
  const result = await execa('bash', [script, ...which, ...(build ? [] : ['--path'])], {
    reject: false,
    stdout: 'pipe',
    stderr: progress ? 'inherit' : 'pipe',
  });
  const path = String(result.stdout ?? '').trim().split('\n').pop() ?? '';
  if (result.exitCode !== 0 || !path) {
    throw hostError(
      `the fixture ISO could not be built (images/build-fixture.sh exited with ${result.exitCode})`,
      'run `bash images/build-fixture.sh` as root to see why, or pass an ISO with --iso',
      new Error(String(result.stderr ?? '').trim().split('\n').slice(-5).join('\n')),
    );
  }
  return path;
}

/**
 * The test CA a fixture's image trusts, which build-fixture.sh keeps beside the ISO (tls-ca.crt,
 * tls-ca.key); undefined for a fixture built before it made one.
 */
export async function fixtureTlsAuthority(isoPath: string): Promise<{ certPath: string; keyPath: string } | undefined> {
  const certPath = join(dirname(isoPath), 'tls-ca.crt');
  const keyPath = join(dirname(isoPath), 'tls-ca.key');
  const present = await Promise.all([certPath, keyPath].map((p) => access(p).then(() => true, () => false)));
  return present.every(Boolean) ? { certPath, keyPath } : undefined;
}
