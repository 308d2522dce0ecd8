import { describe, expect, it } from 'vitest';
import { sharedCores } from '../../harness/engine/run-all.js';

describe('the cores of idle workers go to the boots still running', () => {
  const machine = { memoryMb: 3072, cpus: 1, accel: 'tcg' as const, tcgThread: 'multi' as const };

  it('each boot reads its vCPUs as its QEMU starts: its lane, plus its share of the idle workers\' lanes', () => {
    const cores = sharedCores(machine.cpus, 2, 2);
    const boot = () => cores.machineOf(machine);
    const seen = { ...boot() };
    expect(boot().cpus).toBe(1);
    cores.idle();
    expect(boot().cpus).toBe(2);
    cores.idle();
    expect(boot().cpus).toBe(2);
    // A copy taken earlier keeps what it read then: the getter is read where QEMU starts.
    expect(seen.cpus).toBe(1);
    expect(boot().memoryMb).toBe(3072);
  });

  it('with several boots still running, the idle lanes are split among them: never more vCPUs in all than cores', () => {
    const cores = sharedCores(machine.cpus, 4, 4);
    const boot = () => cores.machineOf(machine);
    cores.idle();
    // 3 running, 1 idle lane: no whole lane each, so each keeps its own.
    expect(boot().cpus).toBe(1);
    cores.idle();
    // 2 running, 2 idle lanes: one more each.
    expect(boot().cpus).toBe(2);
    cores.idle();
    expect(boot().cpus).toBe(4);
  });

  it('never more vCPUs than the host has cores, never fewer than the lane', () => {
    const wide = sharedCores(2, 2, 2);
    wide.idle();
    expect(wide.machineOf(machine).cpus).toBe(2);
    const alone = sharedCores(2, 1, 2);
    alone.idle();
    expect(alone.machineOf(machine).cpus).toBe(2);
  });
});
