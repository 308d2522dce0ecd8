import { describe, expect, it } from 'vitest';
import { countFirmwareStarts } from '../../harness/qemu/accel-probe.js';

describe('KVM probe', () => {
  it('counts SeaBIOS starts in its debug console: two or more is the reset loop', () => {
    const once = 'SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from ROM...\n';
    expect(countFirmwareStarts(once)).toBe(1);
    expect(countFirmwareStarts(once + once)).toBe(2);
    expect(countFirmwareStarts('')).toBe(0);
  });
});
