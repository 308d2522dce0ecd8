import { aoeUnavailable, startAoePublisher } from './aoe-publisher.js';
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
  /** The scenario's artifacts folder, for a publisher's own log (vblade's). */
  logDir: string;
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
  aoe: (setup) => startAoePublisher(setup.files, setup.log, { logDir: setup.logDir }),
};

/** Why a protocol the harness can publish over cannot be used on this host, or undefined. */
export const publisherUnavailable = (protocol: PublishProtocol): string | undefined => (protocol === 'aoe' ? aoeUnavailable() : undefined);

/**
 * Protocols the seed names that the harness cannot publish over on this project's means, each
 * with the reason: a scenario over one is SKIPPED with it, never served by a stand-in.
 */
export const UNPUBLISHABLE = {
  dolly:
    "dolly (openSUSE's cloning tool, root=live:dolly://) is packaged by neither Debian nor npm, and no build step may download its sources: the project has no real dolly server to start (and a fake one would prove nothing)",
} as const;
export type UnpublishableProtocol = keyof typeof UNPUBLISHABLE;

export const isPublishable = (protocol: PublishProtocol | UnpublishableProtocol): protocol is PublishProtocol => protocol in PUBLISHERS;

export function startPublisher(protocol: PublishProtocol, setup: PublisherSetup): Promise<Publisher> {
  const start = PUBLISHERS[protocol];
  if (!start) throw new RangeError(`no publisher for protocol ${JSON.stringify(protocol)}; known: ${Object.keys(PUBLISHERS).join(', ')}`);
  return start(setup);
}
