import { join } from 'node:path';
import { execa } from 'execa';
import { hostError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

/**
 * Which hybrid ISO a fixture is: 'mbr' an MBR hybrid (BIOS-bootable only), 'efi' an EFI hybrid
 * (GPT with an EFI system partition). A property of the image, not the firmware a run boots with.
 */
export type FixtureHybrid = 'mbr' | 'efi';

/** build-fixture.sh names the hybrid after the firmware it is built for (--firmware bios|efi). */
const BUILD_SCRIPT_FIRMWARE: Readonly<Record<FixtureHybrid, string>> = { mbr: 'bios', efi: 'efi' };

/**
 * The built-in fixture ISO: images/build-fixture.sh builds it on first use (KIWI 11 in a sid
 * build root, a few minutes, needs root) and prints the cached path; later calls only print it.
 * hybrid 'mbr' is the MBR hybrid (the default), 'efi' the EFI hybrid of the same description;
 * module 'kiwi-live' (flags="overlay", the default) or 'dmsquash' (dracut's dmsquash-live + livenet).
 * reference: not a fixture but the benchmark's yardstick, a default KIWI live ISO (images/reference).
 */
export async function fixtureIsoPath({ build = true, progress = true, hybrid = 'mbr' as FixtureHybrid, module = 'kiwi-live' as 'kiwi-live' | 'dmsquash', reference = false } = {}): Promise<string> {
  const script = join(packageRoot(), 'images', 'build-fixture.sh');
  const which = reference ? ['--reference'] : ['--firmware', BUILD_SCRIPT_FIRMWARE[hybrid], '--module', module];
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
