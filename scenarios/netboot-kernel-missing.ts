import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: the TFTP root lacks boot/linux. The boot must FAIL in the firmware or the
 * netboot loader's phase, seconds after the loader says so (pxelinux: "Could not find kernel
 * image"; GRUB: "error: file `/boot/linux' not found."), not at the deadline.
 */
export default defineScenario({
  name: 'netboot-kernel-missing',
  summary: 'the TFTP root lacks the kernel: must FAIL in the loader phase naming the loader\'s error (PASS when it does)',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot with no kernel in the TFTP root',
      from: 'network',
      netbootFault: { missing: 'kernel' },
      checks: [],
      expectFailure: {
        reason: /could not load what (?:it needed|the boot entry names): "(?:Could not find kernel image: boot\/linux|Failed to load boot\/linux|Loading boot\/linux\.\.\. failed: No such file or directory|error: (?:File not found|file `\/boot\/linux' not found)\.?" \(after "pxe-harness: GRUB loads boot\/linux"\))/,
        why: 'a loader that cannot load the kernel must be named at once',
        phase: ['firmware', 'pxelinux', 'grub'],
      },
    },
  ],
});
