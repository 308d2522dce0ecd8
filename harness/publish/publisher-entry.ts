import type { Compression } from './compressed-copy.js';
import type { PublishFault } from './faults.js';
import type { PublishedFiles } from './published-files.js';
import type { LiveSource, Publisher } from './publisher.js';
import type { TransferLog } from './transfer-log.js';
import type { TlsAuthority } from './publisher.js';

/** What a publisher is started with. */
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
  /** The CA that issues the publisher's certificate (a scenario that asks for a trusted one); a throwaway self-signed one without it. */
  tlsAuthority?: TlsAuthority;
}

/** The parts of a scenario's publish setup that a protocol may be unable to serve. */
export interface PublishRequest {
  fault?: PublishFault;
  requestPath?: string;
  compressed?: Compression;
}

/**
 * Why a publish setup is impossible for a protocol, in the words of defineScenario's errors:
 * `field <field> must be <want>, got <value>`.
 */
export interface PublishMisfit {
  /** The field of the scenario at fault: publish, or one of its own (publish.fault). */
  field: string;
  value: unknown;
  want: string;
}

/**
 * How a root shell in the guest proves that the forwarded publisher answers, without moving the
 * ISO again (checks run after the deploy: a second transfer would be counted against it).
 */
export interface GuestProbe {
  /** The shell command that asks the publisher about the file at this URL (as the guest sees it). */
  command(url: string): string;
  /** Whether the command's output shows that the publisher answered for the file. */
  answered(output: string): boolean;
  /** The output in a few words, for the check's detail. */
  describe(output: string): string;
}

/** One protocol the harness publishes the ISO over: everything the engine and checks ask of it. */
export interface PublisherEntry<Protocol extends string = string> {
  readonly protocol: Protocol;
  /** What the guest boots from over this protocol (a URL, or a block device on its segment), known before it starts. */
  readonly sourceKind: LiveSource['kind'];
  /** Starts the publisher, reachable by the guest alone (socket-folder.ts); the caller owns it and stops it. */
  start(setup: PublisherSetup): Promise<Publisher>;
  /** Why this publish setup is impossible over this protocol (a fault it cannot serve), or undefined. */
  validate(publish: PublishRequest): PublishMisfit | undefined;
  /** Why the publisher cannot run on this host (AoE needs root), or undefined when it can. */
  unavailable(): string | undefined;
  /** Host tools the publisher runs, beyond the harness's own (for doctor). */
  readonly hostTools: readonly string[];
  /** How the guest proves the publisher answers; none for a protocol the guest cannot ask (a block device). */
  readonly guestProbe?: GuestProbe;
  /** The publisher serves TLS with a certificate, which a run's CA can issue (publish.trustedCertificate). */
  readonly tls?: true;
  /**
   * The kernel driver the guest needs to reach this publisher at all (AoE's `aoe`): an ISO whose
   * initrd carries it neither as a module nor built in cannot boot from it, and SKIPs with that reason.
   */
  readonly guestKernelModule?: string;
}
