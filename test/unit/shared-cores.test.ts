import { describe, expect, it } from 'vitest';
import { sharedCores } from '../../harness/engine/run-all.js';

describe('the cores of idle workers go to the boots still running', () => {
  const machine = { memoryMb: 3072, cpus: 1, accel: 'tcg' as const, tcgThread: 'multi' as const };

  it('each boot reads its vCPUs as its QEMU starts: its lane, plus a lane per worker that found no job left, never more than all lanes', () => {
    const cores = sharedCores(machine, 2);
    const seen = { ...cores.machine };
    expect(cores.machine.cpus).toBe(1);
    cores.idle();
    expect(cores.machine.cpus).toBe(2);
    cores.idle();
    expect(cores.machine.cpus).toBe(2);
    // A copy taken earlier keeps what it read then: the getter is read where QEMU starts.
    expect(seen.cpus).toBe(1);
    expect(cores.machine.memoryMb).toBe(3072);
  });

  it('one worker alone keeps its vCPUs', () => {
    const cores = sharedCores({ ...machine, cpus: 2 }, 1);
    cores.idle();
    expect(cores.machine.cpus).toBe(2);
  });
});
