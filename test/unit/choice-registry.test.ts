import { describe, expect, it } from 'vitest';
import { registryOf } from '../../harness/util/choice-registry.js';

describe('an axis registry', () => {
  it('holds each choice under its key, in the order given', () => {
    const registry = registryOf([{ id: 'a', n: 1 }, { id: 'b', n: 2 }], 'id');
    expect(Object.keys(registry)).toEqual(['a', 'b']);
    expect(registry.b?.n).toBe(2);
  });

  it('refuses two choices under one key', () => {
    expect(() => registryOf([{ protocol: 'http' }, { protocol: 'http' }], 'protocol')).toThrow('two choices register the protocol "http"');
  });
});
