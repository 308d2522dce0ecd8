import { bootFilesOverHttp, isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The RAM deploy over http, with pxelinux's HTTP-capable sibling lpxelinux loading kernel and
 * initrd over HTTP instead of slirp's TFTP (the seed's TFTP setup stays the default elsewhere).
 */
export default defineScenario({
  name: 'ram-deploy-http-lpxelinux',
  summary: 'RAM deploy over http with kernel and initrd loaded over http instead of TFTP (lpxelinux under BIOS, GRUB under UEFI)',
  publish: { protocol: 'http' },
  boots: [
    {
      name: 'network boot via lpxelinux into RAM',
      from: 'network',
      loader: 'http',
      checks: [bootFilesOverHttp(), isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
