import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { cacheDir } from '../util/cache-dir.js';
import { requireTool } from '../util/host-tools.js';
import { PROBE_VERSION, probeKvm, QEMU_DEFAULT_MACHINE, type AccelProbe, type ProbeMachine } from './accel-probe.js';

/**
 * What decides whether KVM runs the firmware here: the host (its machine id and name), its kernel,
 * the QEMU binary and the machine booted (its id and type: SeaBIOS may run where OVMF stops). A
 * change of any of them probes again.
 */
async function probeKey(machine: ProbeMachine): Promise<string> {
  const qemu = await requireTool('qemu-system-x86_64');
  const version = (await execa(qemu, ['--version'], { reject: false })).stdout;
  const machineId = await readFile('/etc/machine-id', 'utf8').catch(() => '');
  const parts = [PROBE_VERSION, hostname(), machineId.trim(), release(), qemu, version, machine.id, machine.machineType];
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

/**
 * probeKvm's answer for one machine, measured once per host, kernel, QEMU version and machine and
 * then read from a file: the probe boots the firmware for seconds, and its answer does not change
 * between runs. `probe` is the measurement (a stand-in in tests).
 */
export async function cachedProbeKvm(
  machine: ProbeMachine = QEMU_DEFAULT_MACHINE,
  probe: (machine: ProbeMachine) => Promise<AccelProbe> = probeKvm,
): Promise<AccelProbe & { cached: boolean }> {
  const file = join(cacheDir(), `kvm-probe-${await probeKey(machine)}.json`);
  // A missing or damaged file means: probe again.
  const known = await readFile(file, 'utf8').then((text) => JSON.parse(text) as AccelProbe).catch(() => undefined);
  if (known && typeof known.usable === 'boolean' && typeof known.detail === 'string') return { ...known, cached: true };
  const answer = await probe(machine);
  await mkdir(cacheDir(), { recursive: true }).then(() => writeFile(file, JSON.stringify(answer)), () => undefined);
  return { ...answer, cached: false };
}
