import { AOE_PUBLISHER } from './aoe-entry.js';
import { FTP_PUBLISHER } from './ftp-entry.js';
import { HTTP_PUBLISHER, HTTPS_PUBLISHER } from './http-entry.js';
import type { Publisher } from './publisher.js';
import type { PublisherEntry, PublisherSetup } from './publisher-entry.js';
import { registryOf } from '../util/choice-registry.js';

export type { GuestProbe, PublisherEntry, PublisherSetup, PublishMisfit, PublishRequest } from './publisher-entry.js';

/**
 * Every protocol the harness publishes the ISO over: one entry each. Add one: its server in a
 * file of its own next to http-publisher.ts, its entry (publisher-entry.ts) in a file of its own
 * like http-entry.ts, its protocol in PublishProtocol, the entry here.
 */
export const PUBLISHERS = registryOf([HTTP_PUBLISHER, HTTPS_PUBLISHER, FTP_PUBLISHER, AOE_PUBLISHER], 'protocol');

/** A protocol the harness publishes over (a key of PUBLISHERS). */
export type PublishProtocol = keyof typeof PUBLISHERS;

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

/** The entry of a registered protocol (a publisher's own `protocol`); a RangeError for any other. */
export function publisherEntry(protocol: string): PublisherEntry {
  if (!Object.hasOwn(PUBLISHERS, protocol)) throw new RangeError(`no publisher for protocol ${JSON.stringify(protocol)}; known: ${Object.keys(PUBLISHERS).join(', ')}`);
  return PUBLISHERS[protocol as PublishProtocol];
}

export function startPublisher(protocol: PublishProtocol, setup: PublisherSetup): Promise<Publisher> {
  return publisherEntry(protocol).start(setup);
}
