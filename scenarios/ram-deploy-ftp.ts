import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's network live boot exactly as documented: the ISO on an FTP server (passive mode
 * through the guest forwards), `root=live:ftp://IP/image/ISO`, deployed into RAM.
 */
export default defineScenario({
  name: 'ram-deploy-ftp',
  summary: 'PXE boot with root=live:ftp://…: the ISO is fetched once into /dev/ram0 and the live system boots to a login',
  publish: { protocol: 'ftp' },
  boots: [
    {
      name: 'network boot into RAM',
      from: 'network',
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
