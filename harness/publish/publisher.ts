import type { TransferLog } from './transfer-log.js';

/**
 * A port the guest reaches on the guest-side service address, through a QEMU guest forward whose
 * relay connects to a UNIX socket of the publisher (socket-folder.ts): no TCP port on the host.
 */
export interface PortForward {
  guestPort: number;
  /** The socket's path on the host. */
  hostSocket: string;
}

/**
 * An Ethernet segment of the publisher's own (a network namespace): the boot's QEMU gets a NIC on
 * a tap device, which join() moves into the namespace and serves there before the guest runs.
 */
export interface EthernetSegment {
  readonly netns: string;
  /** Takes the tap QEMU opened into the segment and serves on it; resolves to its undo. */
  join(tap: string): Promise<() => Promise<void>>;
}

/**
 * What the published ISO is to the guest, independent of how a live module spells it on the
 * kernel command line: a URL it fetches, or an AoE target (shelf.slot) on its Ethernet segment.
 */
export type LiveSource = { kind: 'url'; url: string } | { kind: 'aoe'; shelf: number; slot: number };

/** A running server that publishes the ISO; stop() is idempotent. */
export interface Publisher extends AsyncDisposable {
  /** The protocol it publishes over, as registered (a key of PUBLISHERS). */
  readonly protocol: string;
  /** Every port the guest must reach, the service port first, then FTP's passive data ports. */
  readonly forwards: PortForward[];
  readonly transfers: TransferLog;
  /** Layer-2 publishers (AoE): the segment the guest must join with a NIC of its own. */
  readonly segment?: EthernetSegment;
  /** The URL of a published path as the guest sees it (AoE, which has none: a description of its target). */
  url(guestHost: string, urlPath: string): string;
  /** What the guest boots a published path from, when it is no URL (AoE); URL publishers have none: their url() is it. */
  source?(guestHost: string, urlPath: string): LiveSource;
  stop(): Promise<void>;
}

/** What the guest boots a published path from: the publisher's own source, else its URL. */
export function liveSourceOf(publisher: Publisher, guestHost: string, urlPath: string): LiveSource {
  return publisher.source?.(guestHost, urlPath) ?? { kind: 'url', url: publisher.url(guestHost, urlPath) };
}

/**
 * A CA the ISO trusts (`run --tls-ca CERT,KEY`): the https publisher of a scenario that asks for a
 * trusted certificate (publish.trustedCertificate) has its certificate issued by it, so that the
 * guest can verify TLS with no insecure option. The built-in fixtures trust one of their own.
 */
export interface TlsAuthority {
  certPath: string;
  keyPath: string;
  /** The CA's subject, as openssl prints it (for reports). */
  subject: string;
}
