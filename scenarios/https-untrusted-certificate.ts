import { defineScenario } from '../harness/scenario/index.js';

/**
 * A negative scenario: root=live:https://… without rd.kiwi.live.curl_options. The initrd's curl
 * has no CA for the publisher's throwaway certificate and hangs up in the handshake; no request is
 * ever made, so the publisher's log of the failed handshake is the only witness. The boot must
 * FAIL in the fetch, naming the handshake, not run into a timeout. It also asks for the live
 * module's debug evidence: curl's own error and the module's log are taken from dracut's
 * emergency shell into module-debug.log.
 */
export default defineScenario({
  name: 'https-untrusted-certificate',
  summary: 'https with a certificate the initrd does not trust and no curl options: must FAIL in the fetch naming the TLS handshake (PASS when it does)',
  publish: { protocol: 'https' },
  boots: [
    {
      name: 'network boot over https without --insecure',
      from: 'network',
      checks: [],
      debugEvidence: true,
      expectFailure: { reason: /transfer failed: https TLS handshake failed/, why: 'curl must refuse a certificate it cannot verify', phase: 'fetch-root' },
    },
  ],
});
