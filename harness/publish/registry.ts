import { AOE_PUBLISHER } from './aoe-entry.js';
import { FTP_PUBLISHER } from './ftp-entry.js';
import { HTTP_PUBLISHER, HTTPS_PUBLISHER } from './http-entry.js';
import type { Publisher } from './publisher.js';
import type { PublisherEntry, PublisherSetup } from './publisher-entry.js';
import type { PublishProtocol } from './transfer-log.js';

export type { GuestProbe, PublisherEntry, PublisherSetup, PublishMisfit, PublishRequest } from './publisher-entry.js';

/**
 * Every protocol the harness publishes the ISO over: one entry each. Add one: its server in a
 * file of its own next to http-publisher.ts, its entry (publisher-entry.ts) in a file of its own
 * like http-entry.ts, its protocol in PublishProtocol, the entry here.
 */
export const PUBLISHERS: Readonly<Record<PublishProtocol, PublisherEntry>> = {
  http: HTTP_PUBLISHER,
  https: HTTPS_PUBLISHER,
  ftp: FTP_PUBLISHER,
  aoe: AOE_PUBLISHER,
};

/** Why a protocol the harness can publish over cannot be used on this host, or undefined. */
export const publisherUnavailable = (protocol: PublishProtocol): string | undefined => PUBLISHERS[protocol].unavailable();

/**
 * Protocols the seed names that the harness cannot publish over on this project's means, each
 * with the reason: a scenario over one is SKIPPED with it, never served by a stand-in.
 */
export const UNPUBLISHABLE = {
  dolly:
    "dolly (openSUSE's cloning tool, root=live:dolly://) is packaged by neither Debian nor npm, and no build step may download its sources: the project has no real dolly server to start (and a fake one would prove nothing)",
} as const;
export type UnpublishableProtocol = keyof typeof UNPUBLISHABLE;

/** Every protocol a scenario may name: those published, then those that SKIP with a reason. */
export const KNOWN_PROTOCOLS: readonly string[] = [...Object.keys(PUBLISHERS), ...Object.keys(UNPUBLISHABLE)];

export const isPublishable = (protocol: PublishProtocol | UnpublishableProtocol): protocol is PublishProtocol => Object.hasOwn(PUBLISHERS, protocol);

export function startPublisher(protocol: PublishProtocol, setup: PublisherSetup): Promise<Publisher> {
  const entry = PUBLISHERS[protocol];
  if (!entry) throw new RangeError(`no publisher for protocol ${JSON.stringify(protocol)}; known: ${Object.keys(PUBLISHERS).join(', ')}`);
  return entry.start(setup);
}
