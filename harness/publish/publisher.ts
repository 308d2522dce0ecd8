import type { PublishProtocol, TransferLog } from './transfer-log.js';

/** A host port the guest reaches at the same guest-side address, through a QEMU guest forward. */
export interface PortForward {
  guestPort: number;
  hostPort: number;
}

/** A running server that publishes the ISO; stop() is idempotent. */
export interface Publisher extends AsyncDisposable {
  readonly protocol: PublishProtocol;
  /** Every port the guest must reach: the service port and, for FTP, the passive data ports. */
  readonly forwards: PortForward[];
  /** The service port on 127.0.0.1. */
  readonly hostPort: number;
  readonly transfers: TransferLog;
  /** The URL of a published path as the guest sees it. */
  url(guestHost: string, urlPath: string): string;
  stop(): Promise<void>;
}
