import { describe, expect, it } from 'vitest';
import { initrdServiceLine, quoteCause } from '../../harness/engine/debug-evidence.js';
import { dmsquash } from '../../harness/live/dmsquash.js';
import { kiwiLive } from '../../harness/live/kiwi-live.js';

describe('the debug evidence quoted in a reason', () => {
  it("names a tool the initrd lacks before curl's own error (kiwi-live's xz pipeline, as fetch.info held it)", () => {
    // /tmp/fetch.info of a real kiwi-live boot of root=live:http://.../x.iso.xz on an initrd without xz.
    const lines = ['===== /tmp/fetch.info', '/lib/kiwi-live-lib.sh: line 497: xz: command not found', 'curl: (23) Failure writing output to destination, passed 16384 returned 0'];
    expect(quoteCause(lines)).toBe('; the initrd lacks a tool: /lib/kiwi-live-lib.sh: line 497: xz: command not found; curl said: curl: (23) Failure writing output to destination, passed 16384 returned 0');
    expect(quoteCause(['curl: (77) error adding trust anchors'])).toBe('; curl said: curl: (77) error adding trust anchors');
    expect(quoteCause(['nothing to see'])).toBe('');
  });
});

describe("the initrd's service lines kept when there is no emergency shell", () => {
  const dracut = ['[   9.1] dracut-initqueue[412]: curl: (60) SSL certificate problem', '[   3.0] dracut-pre-udev[200]: x', 'dracut-mount[5]: y', '[   1.0] dracut: z'];
  const other = ['[  12.0] systemd[1]: Started foo.', 'plain text: no service'];

  it("keeps dracut's own services for every live module, and each module's own beside them", () => {
    const kiwi = initrdServiceLine(kiwiLive.debug.consoleServices);
    const dm = initrdServiceLine(dmsquash.debug.consoleServices);
    for (const line of dracut) {
      expect(kiwi.test(line), line).toBe(true);
      expect(dm.test(line), line).toBe(true);
    }
    for (const line of other) expect(kiwi.test(line) || dm.test(line), line).toBe(false);
    expect(kiwi.test('[   8.0] kiwi-live-root[300]: fetching')).toBe(true);
    expect(dm.test('[   8.0] livenet[301]: fetching')).toBe(true);
    expect(dm.test('[   8.0] dmsquash-live-root[302]: mounting')).toBe(true);
  });

  it("leaves out another module's services: the engine names none of its own", () => {
    expect(initrdServiceLine(kiwiLive.debug.consoleServices).test('livenet[301]: fetching')).toBe(false);
    expect(initrdServiceLine(dmsquash.debug.consoleServices).test('kiwi-live-root[300]: x')).toBe(false);
    expect(initrdServiceLine(/(?!)/).test('dracut-initqueue[1]: x')).toBe(true);
  });
});
