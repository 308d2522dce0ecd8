import { describe, expect, it } from 'vitest';
import { quoteCause } from '../../harness/engine/debug-evidence.js';

describe('the debug evidence quoted in a reason', () => {
  it("names a tool the initrd lacks before curl's own error (kiwi-live's xz pipeline, as fetch.info held it)", () => {
    // /tmp/fetch.info of a real kiwi-live boot of root=live:http://.../x.iso.xz on an initrd without xz.
    const lines = ['===== /tmp/fetch.info', '/lib/kiwi-live-lib.sh: line 497: xz: command not found', 'curl: (23) Failure writing output to destination, passed 16384 returned 0'];
    expect(quoteCause(lines)).toBe('; the initrd lacks a tool: /lib/kiwi-live-lib.sh: line 497: xz: command not found; curl said: curl: (23) Failure writing output to destination, passed 16384 returned 0');
    expect(quoteCause(['curl: (77) error adding trust anchors'])).toBe('; curl said: curl: (77) error adding trust anchors');
    expect(quoteCause(['nothing to see'])).toBe('');
  });
});
