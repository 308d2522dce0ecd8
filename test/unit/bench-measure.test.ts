import { describe, expect, it } from 'vitest';
import { median, mergeSections } from '../../bench/measure.js';

describe('bench figures', () => {
  it('takes the median of odd and even counts, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('replaces a measured block in place and keeps the others and the hand-written text', () => {
    const doc = '# Benchmarks\n\nintro\n\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\n\nmiddle\n\n<!-- bench:b -->\nold b\n<!-- /bench:b -->\n';
    const out = mergeSections(doc, [{ id: 'a', markdown: 'new a\n' }]);
    expect(out).toContain('<!-- bench:a -->\nnew a\n<!-- /bench:a -->');
    expect(out).not.toContain('old a');
    expect(out).toContain('intro');
    expect(out).toContain('middle');
    expect(out).toContain('<!-- bench:b -->\nold b\n<!-- /bench:b -->');
  });

  it('appends a block that was never measured', () => {
    const out = mergeSections('# Benchmarks\n', [{ id: 'c', markdown: 'c figures' }]);
    expect(out).toBe('# Benchmarks\n\n<!-- bench:c -->\nc figures\n<!-- /bench:c -->\n');
  });
});
