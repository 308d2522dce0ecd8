import { isoTransferredOnce, liveIsoMountedFrom, liveImageMatchesPublished, defineScenario } from '../harness/scenario/index.js';

/**
 * The seed's https boot as a fleet runs it: root=live:https://… with no insecure option, the
 * publisher's certificate issued by a CA the ISO trusts (`run --tls-ca CERT,KEY`; the built-in
 * fixtures trust a test CA of their own build). The live module's curl must verify it with the CA
 * bundle of its initrd. Without a CA for the run the scenario SKIPs. The boot asks for the module's
 * debug evidence, so that a failure names curl's own error (a missing bundle is curl's error 77),
 * which the publisher's log of a dropped handshake cannot tell from a certificate refused.
 */
export default defineScenario({
  name: 'ram-deploy-https-verified',
  summary: 'PXE boot with root=live:https://… and no insecure option, the certificate issued by a CA the ISO trusts: curl verifies it and the ISO comes into RAM',
  publish: { protocol: 'https', trustedCertificate: true },
  boots: [
    {
      name: 'network boot into RAM over verified https',
      from: 'network',
      debugEvidence: true,
      checks: [isoTransferredOnce(), liveIsoMountedFrom('ram'), liveImageMatchesPublished('ram')],
    },
  ],
});
