import { hostError, inputError } from '../harness/errors.js';
import type { Architecture } from '../harness/arch/index.js';
import { firmwareFor, probeMachine } from '../harness/firmware/index.js';
import { cachedProbeKvm } from '../harness/qemu/accel-cache.js';
import { firmwareIds, type FirmwareChoice } from '../harness/engine/firmware-matrix.js';

export type AccelChoice = 'auto' | 'kvm' | 'tcg';

/** The firmwares whose fallback to TCG this process has said (once each, however many projects boot them). */
const told = new Set<string>();

/**
 * The accelerator a project boots with: KVM when asked for or probed to work under every firmware
 * the project boots (each probed as it boots: OVMF can loop under KVM where SeaBIOS does not),
 * else TCG. KVM runs guests of the host's own architecture only, so an ISO of another one boots
 * under TCG without a probe (and without a line about a firmware of the host's architecture that
 * the run never boots); asking for KVM there is refused.
 */
export async function chooseAccel(choice: AccelChoice, firmware: FirmwareChoice | undefined, arch: Architecture, hostArch: string = process.arch): Promise<'tcg' | 'kvm'> {
  if (choice === 'tcg') return 'tcg';
  if (arch.kvmHost !== hostArch) {
    if (choice === 'kvm') throw inputError(`KVM runs guests of the host's own architecture only: the ISO is for ${arch.id}, which KVM runs on ${arch.kvmHost} hosts, and this host is ${hostArch}`, '--accel kvm', 'leave --accel out or pass --accel tcg: the ISO boots under TCG');
    return 'tcg';
  }
  for (const id of firmwareIds(firmware, arch)) {
    const probe = await cachedProbeKvm(probeMachine(firmwareFor(id, arch.id)));
    if (probe.usable) continue;
    if (choice === 'kvm') throw hostError(`KVM does not work here under ${id} firmware: ${probe.detail}`, 'run with --accel tcg (or auto)');
    if (told.has(id)) return 'tcg';
    told.add(id);
    process.stderr.write(`pxe-harness: KVM not usable under ${id} firmware (${probe.detail}${probe.cached ? '; answer of an earlier probe on this host, QEMU, kernel and firmware' : ''}); booting under TCG\n`);
    return 'tcg';
  }
  return 'kvm';
}
