import type { PublishFault } from './faults.js';
import { startFtpPublisher } from './ftp-publisher.js';
import { startHttpPublisher } from './http-publisher.js';
import type { PublishedFiles } from './published-files.js';
import type { Publisher } from './publisher.js';
import { createSelfSignedCertificate } from './tls-certificate.js';
import type { PublishProtocol, TransferLog } from './transfer-log.js';

export interface PublisherSetup {
  files: PublishedFiles;
  /** The publisher's log of what it served; the publisher is its only writer. */
  log: TransferLog;
  /** Where the guest reaches the publisher (its certificate's name, FTP's passive address). */
  serviceAddress: string;
  /** A folder of the scenario for the publisher's own files (a throwaway certificate). */
  tempDir: string;
  fault?: PublishFault;
}

/** Starts one publisher on 127.0.0.1; the caller owns it and stops it. */
export type StartPublisher = (setup: PublisherSetup) => Promise<Publisher>;

const faultOf = (setup: PublisherSetup) => (setup.fault ? { fault: setup.fault } : {});

/**
 * Every protocol the harness publishes the ISO over: one entry each. Add one: its server in a
 * file of its own next to http-publisher.ts, its protocol in PublishProtocol, an entry here.
 */
export const PUBLISHERS: Readonly<Record<PublishProtocol, StartPublisher>> = {
  http: (setup) => startHttpPublisher(setup.files, setup.log, faultOf(setup)),
  https: async (setup) =>
    startHttpPublisher(setup.files, setup.log, { ...faultOf(setup), tls: await createSelfSignedCertificate(setup.tempDir, setup.serviceAddress) }),
  ftp: (setup) => startFtpPublisher(setup.files, setup.log, { announcedAddress: setup.serviceAddress, ...faultOf(setup) }),
};

export function startPublisher(protocol: PublishProtocol, setup: PublisherSetup): Promise<Publisher> {
  const start = PUBLISHERS[protocol];
  if (!start) throw new RangeError(`no publisher for protocol ${JSON.stringify(protocol)}; known: ${Object.keys(PUBLISHERS).join(', ')}`);
  return start(setup);
}
