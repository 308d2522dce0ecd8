import type { ProbeMachine } from '../qemu/accel-probe.js';
import type { Firmware } from './firmware.js';

/**
 * The machine the KVM probe boots for a firmware: its machine type, its QEMU arguments (made in
 * the probe's own temp dir, and only when the probe runs) and how long it takes to reach PXE.
 * Its id keys the probe's cached answer per firmware.
 */
export function probeMachine(firmware: Firmware): ProbeMachine {
  return {
    id: firmware.id,
    machineType: firmware.machineType,
    args: (runtimeDir) => firmware.machineArgs(runtimeDir),
    settleMs: firmware.probeSettleMs,
  };
}
