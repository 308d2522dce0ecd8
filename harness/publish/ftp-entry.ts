import { startFtpPublisher } from './ftp-publisher.js';
import type { GuestProbe, PublisherEntry } from './publisher-entry.js';

/**
 * curl -I on an ftp:// URL asks SIZE and MDTM and prints them as headers, opening no data
 * connection: the file's size proves the forward, and no RETR moves the ISO again. (Its
 * `%{http_code}` would print the last FTP reply, 350 to curl's REST 0: no proof of the file.)
 */
const sizeProbe: GuestProbe = {
  command: (url) => `curl -s -I --max-time 10 ${url} ; echo curl-exit=$?`,
  answered: (output) => /curl-exit=0\b/.test(output) && /^Content-Length: \d+/im.test(output),
  describe: (output) => {
    const size = /^Content-Length: (\d+)/im.exec(output)?.[1];
    const exit = /curl-exit=(\d+)/.exec(output)?.[1];
    return size ? `FTP SIZE ${size}` : `FTP no size (curl exit ${exit ?? 'unknown'})`;
  },
};

export const FTP_PUBLISHER: PublisherEntry<'ftp'> = {
  protocol: 'ftp',
  sourceKind: 'url',
  start: (setup) => startFtpPublisher(setup.files, setup.log, { announcedAddress: setup.serviceAddress, ...(setup.fault ? { fault: setup.fault } : {}) }),
  // Only the http publisher answers with a redirect: over ftp the fault would silently not happen.
  validate: ({ fault }) => (fault?.kind === 'redirect' ? { field: 'publish.fault', value: fault, want: 'a fault ftp can serve (a redirect is http or https only)' } : undefined),
  unavailable: () => undefined,
  hostTools: [],
  guestProbe: sizeProbe,
};
