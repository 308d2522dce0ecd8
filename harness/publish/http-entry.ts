import { startHttpPublisher } from './http-publisher.js';
import type { GuestProbe, PublisherEntry, PublisherSetup } from './publisher-entry.js';
import { createSelfSignedCertificate, issueCertificate } from './tls-certificate.js';

const faultOf = (setup: PublisherSetup) => (setup.fault ? { fault: setup.fault } : {});

/**
 * A HEAD for the file: the answer's status line proves the forward without moving the ISO a
 * second time. `insecure` (-k) for https: the probe proves the forward, not trust in the
 * throwaway certificate (which scenarios prove on their own).
 */
const headProbe = (insecure: boolean): GuestProbe => ({
  command: (url) => `curl -s -I${insecure ? ' -k' : ''} -o /dev/null -w '%{http_code}' --max-time 10 ${url} ; echo`,
  answered: (output) => /\b200\b/.test(output),
  describe: (output) => `HTTP ${output.trim() || 'no answer'}`,
});

/** Every fault of faults.ts can be served over http(s), the redirect among them. */
const servesAnyFault = () => undefined;

export const HTTP_PUBLISHER: PublisherEntry<'http'> = {
  protocol: 'http',
  sourceKind: 'url',
  start: (setup) => startHttpPublisher(setup.files, setup.log, faultOf(setup)),
  validate: servesAnyFault,
  unavailable: () => undefined,
  hostTools: [],
  guestProbe: headProbe(false),
};

export const HTTPS_PUBLISHER: PublisherEntry<'https'> = {
  protocol: 'https',
  sourceKind: 'url',
  start: async (setup) => startHttpPublisher(setup.files, setup.log, { ...faultOf(setup), tls: await certificateFor(setup) }),
  validate: servesAnyFault,
  unavailable: () => undefined,
  // The throwaway certificate, or one issued by the run's CA (tls-certificate.ts).
  hostTools: ['openssl'],
  guestProbe: headProbe(true),
  tls: true,
};

/** Issued by the run's CA when the scenario asks for a trusted certificate, else throwaway and self-signed. */
const certificateFor = (setup: PublisherSetup) =>
  setup.tlsAuthority ? issueCertificate(setup.tempDir, setup.serviceAddress, setup.tlsAuthority) : createSelfSignedCertificate(setup.tempDir, setup.serviceAddress);
