import { guestIsHermetic, isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's network live boot with the ISO published over http:
 * 1. kernel and initrd out of the ISO into the TFTP root; 2. the ISO on an http server;
 * 3. the boot entry `root=live:http://IP/image/ISO`; 4. `qemu -boot n`.
 * Without rd.kiwi.live.system the ISO goes into a RAM disk (/dev/ram0). Once up, the guest also
 * proves that it reaches the forwarded publisher and nothing else.
 */
export default defineScenario({
  name: 'ram-deploy-http',
  summary: 'PXE boot with root=live:http://…: the ISO is fetched once into /dev/ram0 and the live system boots to a login',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot into RAM',
      from: 'network',
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram'), guestIsHermetic()],
    },
  ],
});
