import type { SerialShell } from '../console/serial-shell.js';
import type { Transfer } from '../publish/transfer-log.js';
import type { PublishProtocol } from '../publish/registry.js';
import type { Compression } from '../publish/compressed-copy.js';
import { FAULT_FIELDS, type PublishFault } from '../publish/faults.js';
import { isPublishable, KNOWN_PROTOCOLS, PUBLISHERS, UNPUBLISHABLE, type GuestProbe, type UnpublishableProtocol } from '../publish/registry.js';
import type { ConsoleLine } from '../console/console-log.js';
import type { DiskEvidence } from '../disk/disk-evidence.js';
import { DISK_SPEC_FIELDS, OVERLAY_STORE_LAYOUT_FIELDS, type DiskImage, type DiskSpec } from '../disk/disk-image.js';
import type { FirmwareId } from '../firmware/index.js';
import type { IsoBootFacts } from '../iso/boot-facts.js';
import type { IsoInfo } from '../iso/iso-image.js';
import { LIVE_BOOT_FIELDS, LIVE_OVERLAY_STORE_FIELDS, LIVE_PERSISTENT_FIELDS, type LiveBootOptions, type LiveImageFacts, type LiveModuleProfile } from '../live/live-module.js';
import type { BootFilePaths, LoaderTransport } from '../netboot/netboot-loader.js';
import type { CheckOutcome } from './result.js';
import { refuseUnknownFields, type KnownFields } from './known-fields.js';

/** What a scenario declares; the runner does all process handling. */
export interface ScenarioDefinition {
  name: string;
  /** One sentence: what the scenario proves. */
  summary: string;
  publish: {
    /** How the ISO is published; an unpublishable one (dolly) makes the scenario SKIP with the reason. */
    protocol: PublishProtocol | UnpublishableProtocol;
    /**
     * The path the boot entry asks for, when it is not the published ISO's own path: a broken
     * setup (a URL the publisher does not serve) is declared this way. `{iso}` stands for the
     * ISO's own path (e.g. `{iso}?arch=x86_64&flavor=live`: the ISO's URL with a query).
     */
    requestPath?: string;
    /**
     * The published ISO's file name under /image/, when not the harness's own choice (the ISO
     * file's name, with `.iso` added when it lacks it): a server that names it otherwise.
     */
    fileName?: string;
    /** A fault the publisher injects into what it serves (see publish/faults.ts). */
    fault?: PublishFault;
    /**
     * Publish the ISO compressed (at its path plus `.xz`) and boot that URL: the live module
     * must decompress it as it arrives (kiwi-live: a root=live: URL ending in .xz).
     */
    compressed?: Compression;
    /**
     * Serve TLS with a certificate issued by the run's CA (`run --tls-ca`), which the ISO must
     * trust, instead of a throwaway self-signed one; the scenario SKIPs when the run has no CA.
     */
    trustedCertificate?: true;
  };
  /**
   * false: the scenario needs no serial login (an ISO whose credentials are unknown): it is judged
   * on transfers and console evidence alone; disks are powered off through ACPI.
   */
  needsLogin?: false;
  /** The file a user's scenario was loaded from (set by the loader; reproduce loads it again). */
  sourceFile?: string;
  /** Pins the scenario to one firmware, whatever the run's --firmware says. */
  firmware?: FirmwareId;
  /**
   * Whether the scenario applies to this ISO on this firmware: undefined when it does, else the
   * reason it does not (the scenario is then SKIPPED with it, nothing boots).
   */
  appliesTo?(target: ScenarioTarget): string | undefined;
  /** Disks made fresh for each run of the scenario and attached, in order, to every boot. */
  disks?: DiskSpec[];
  boots: BootDefinition[];
}

/** Every field of a scenario, and of its publish (a misspelt field is refused, see known-fields.ts). */
const SCENARIO_FIELDS = {
  name: true, summary: true, publish: true, needsLogin: true, sourceFile: true, firmware: true, appliesTo: true, disks: true, boots: true,
} as const satisfies KnownFields<ScenarioDefinition>;
const PUBLISH_FIELDS = { protocol: true, requestPath: true, fileName: true, fault: true, compressed: true, trustedCertificate: true } as const satisfies KnownFields<ScenarioDefinition['publish']>;

/** What a scenario can know of its target before anything boots. */
export interface ScenarioTarget {
  iso: IsoInfo & { boot: IsoBootFacts; live: LiveImageFacts };
  /** The id of the firmware the scenario boots under (a key of FIRMWARES). */
  firmware: string;
  /** Whether that firmware enforces Secure Boot (every program of the chain must verify). */
  secureBoot: boolean;
  /** The guest's architecture (x86_64, aarch64), read from the ISO. */
  arch: string;
  /** The firmwares of that architecture that enforce Secure Boot (none on aarch64 yet): what a SKIP's hint may name. */
  secureBootFirmwares: readonly string[];
  liveModule: LiveModuleProfile;
}

export interface BootDefinition {
  name: string;
  /** network: PXE boot with the seed's entry; disk: the attached disk alone, no network device. */
  from: 'network' | 'disk';
  /**
   * What the live module is asked to do (deploy to a disk, persistence, reset, ...); the ISO's
   * live module spells it as its own kernel options after `ip=dhcp root=live:URL console=ttyS0`.
   */
  live?: LiveBootOptions;
  /** Kernel options of the boot entry after the live module's own, verbatim. */
  kernelArgs?: string[];
  /**
   * How the netboot loader loads kernel and initrd: 'tftp' (the seed's setup, default) or 'http'
   * (from an HTTP server of the harness; its transfers are logged as boot files).
   */
  loader?: LoaderTransport;
  /**
   * A broken netboot setup, one of: `missing`, this file is not in the TFTP root (to prove a loader
   * failure is named); `altered`, this file is served with one byte flipped (to prove that Secure
   * Boot refuses a kernel whose signature no longer verifies).
   */
  netbootFault?: { missing?: 'boot-program' | 'kernel' | 'initrd'; altered?: 'kernel' | 'initrd' };
  /** Longest time from QEMU's start to the login prompt. */
  timeoutMs?: number;
  /**
   * Collect the live module's own debug evidence when the boot fails: its debug log is switched
   * on (kiwi-live: rd.kiwi.debug, dmsquash: rd.live.debug), dracut's emergency shell is allowed
   * (rd.shell, SYSTEMD_SULOGIN_FORCE=1: the initrd's root is locked), and on a failure the harness
   * copies the module's files from that shell into module-debug.log of the boot's folder.
   */
  debugEvidence?: boolean;
  /**
   * false: no proof of delivery from the guest. Every network boot that logs in otherwise proves
   * it: unless one of its checks already does (liveImageMatchesPublished), the harness adds
   * liveImageDelivered(), which compares the guest's copy of the ISO with the published bytes. The
   * publisher's log knows only what it wrote to the connection; without this proof the boot's
   * PASS says that it has no guest proof of delivery, in its reason and in every report.
   */
  deliveryProof?: false;
  /**
   * What must hold once the login prompt is there; all are run and reported. Checks marked
   * `afterShutdown` run once the guest has powered off, on the disk evidence read on the host.
   */
  checks: Check[];
  /**
   * A negative boot: it passes when it fails with a reason matching this (e.g. a ramdisk too
   * small for the ISO must end in an incomplete transfer), and fails when it boots.
   */
  expectFailure?: { reason: RegExp; why: string; /** the boot phase (or one of the phases) the failure must come in */ phase?: string | readonly string[] };
}

/** Every field of a boot, and of its parts (a misspelt field is refused, see known-fields.ts). */
const BOOT_FIELDS = {
  name: true, from: true, live: true, kernelArgs: true, loader: true, netbootFault: true, timeoutMs: true, debugEvidence: true, deliveryProof: true, checks: true, expectFailure: true,
} as const satisfies KnownFields<BootDefinition>;
const EXPECT_FAILURE_FIELDS = { reason: true, why: true, phase: true } as const satisfies KnownFields<NonNullable<BootDefinition['expectFailure']>>;
const NETBOOT_FAULT_FIELDS = { missing: true, altered: true } as const satisfies KnownFields<NonNullable<BootDefinition['netbootFault']>>;

/** What a check can look at: the boot's transfers, its console, and a root shell in the guest. */
export interface BootContext {
  /** The ISO: its file on the host, its path on the publisher, its size and volume id. */
  iso: { hostPath: string; urlPath: string; sizeBytes: number; volumeId: string };
  /** The URL the boot entry fetches the ISO from, as the guest sees it (a description of the target when the publisher has no URLs). */
  isoUrl: string;
  /** The scenario's publisher: its protocol, and how a guest shell proves it answers (none for some). */
  publisher: { protocol: string; guestProbe?: GuestProbe };
  /** The live module that boots the ISO: where it keeps the live image and the writable layer. */
  live: LiveModuleProfile;
  /** What this boot asked of the live module, and what the harness read of the ISO's live system. */
  liveOptions: LiveBootOptions;
  liveFacts: LiveImageFacts;
  /** Transfers that ended during this boot. */
  transfers: Transfer[];
  /** Kernel and initrd fetched by the netboot loader from the harness's boot-file server during this boot (loader 'http'). */
  bootFileTransfers: Transfer[];
  /** The netboot loader of this boot (none on a disk boot): its id, and kernel and initrd as its boot entry names them. */
  netboot?: { loaderId: string; bootFilePaths: BootFilePaths };
  consoleLines: readonly ConsoleLine[];
  /** Milliseconds after QEMU's start at which each boot phase was first seen (login among them). */
  timeline: Readonly<Record<string, number>>;
  /** A root shell on the serial console, logged in on first use. */
  shell(): Promise<SerialShell>;
  /** The scenario's disks (the same files across its boots). */
  disks: DiskImage[];
  /** Disk evidence read on the host after the guest powered off (afterShutdown checks only). */
  diskEvidence: DiskEvidence[];
  /** Values that travel from one boot of the scenario to the next (markers). */
  state: Map<string, string>;
}

export interface Check {
  name: string;
  /** Run after the guest has powered off, on what the host reads from the disks. */
  afterShutdown?: boolean;
  /**
   * 'delivery': the check proves from the guest that the ISO arrived whole (the live module's copy
   * equals the published bytes), so the harness adds no proof of its own to the boot.
   */
  proves?: 'delivery';
  run(context: BootContext): Promise<Omit<CheckOutcome, 'name'>>;
}

/** Marks what defineScenario returned, so that a loaded file's default export can be recognised. */
export const SCENARIO_BRAND: unique symbol = Symbol.for('pxe-harness.scenario');

/**
 * Declares a scenario, checked field by field: a bad field is a RangeError that names it and
 * quotes the value (a scenario file's loader adds the file's name).
 */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  validateScenario(definition);
  Object.defineProperty(definition, SCENARIO_BRAND, { value: true, enumerable: false });
  return definition;
}

export const isDefinedScenario = (value: unknown): value is ScenarioDefinition =>
  typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SCENARIO_BRAND] === true;

/** The protocols a scenario may name, as its error says: the published ones, then those that SKIP. */
const PROTOCOLS_WANTED = `${Object.keys(PUBLISHERS).join(', ')} (or ${Object.keys(UNPUBLISHABLE).join(', ')}, which SKIPs here)`;

function validateScenario(d: ScenarioDefinition): void {
  const bad = (field: string, value: unknown, want: string) => new RangeError(`field ${field} must be ${want}, got ${JSON.stringify(value) ?? String(value)}`);
  if (typeof d !== 'object' || d === null) throw bad('(the scenario)', d, 'an object');
  refuseUnknownFields(d, '', 'a scenario', SCENARIO_FIELDS);
  refuseUnknownFields(d.publish, 'publish', 'publish', PUBLISH_FIELDS);
  const fault = d.publish?.fault as { kind?: unknown } | undefined;
  if (typeof fault?.kind === 'string' && Object.hasOwn(FAULT_FIELDS, fault.kind)) {
    refuseUnknownFields(fault, 'publish.fault', `a ${fault.kind} fault`, FAULT_FIELDS[fault.kind as keyof typeof FAULT_FIELDS]);
  }
  if (Array.isArray(d.disks)) d.disks.forEach((disk, i) => validateDisk(disk, `disks[${i}]`, bad));
  if (typeof d.name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(d.name)) throw bad('name', d.name, "lower-case words joined by '-'");
  if (typeof d.summary !== 'string' || !d.summary.trim()) throw bad('summary', d.summary, 'one sentence saying what the scenario proves');
  const protocol = d.publish?.protocol as string;
  if (!KNOWN_PROTOCOLS.includes(protocol)) throw bad('publish.protocol', protocol, PROTOCOLS_WANTED);
  // What the protocol's publisher cannot serve (a fault, a URL of its own) is its entry's to say.
  const misfit = isPublishable(d.publish.protocol) ? PUBLISHERS[d.publish.protocol].validate(d.publish) : undefined;
  if (misfit) throw bad(misfit.field, misfit.value, misfit.want);
  if (d.publish.fileName !== undefined && (typeof d.publish.fileName !== 'string' || !/^[\w][\w.+-]*$/.test(d.publish.fileName))) throw bad('publish.fileName', d.publish.fileName, 'a file name of letters, digits, dots, dashes and pluses, such as live-image.img');
  if (d.publish.compressed !== undefined && d.publish.compressed !== 'xz') throw bad('publish.compressed', d.publish.compressed, "'xz' (or left out)");
  if (d.publish.trustedCertificate !== undefined && (d.publish.trustedCertificate !== true || !(isPublishable(d.publish.protocol) && PUBLISHERS[d.publish.protocol].tls))) {
    throw bad('publish.trustedCertificate', d.publish.trustedCertificate, `true (or left out), with a protocol that serves TLS (${Object.values(PUBLISHERS).filter((p) => p.tls).map((p) => p.protocol).join(', ')})`);
  }
  const f = d.publish.fault;
  if (f?.kind === 'not-ready' && !(Number.isInteger(f.requests) && f.requests >= 1 && f.requests <= 100)) throw bad('publish.fault.requests', f.requests, 'the number of requests told to ask again, 1 to 100');
  if (!Array.isArray(d.boots) || d.boots.length === 0) throw bad('boots', d.boots, 'a non-empty list of boots');
  d.boots.forEach((boot, i) => validateBoot(boot, `boots[${i}]`, bad));
}

function validateNetbootFault(fault: BootDefinition['netbootFault'], at: string, bad: (field: string, value: unknown, want: string) => RangeError): void {
  if (fault === undefined) return;
  const given = Object.keys(fault);
  if (given.length !== 1) throw bad(at, fault, "one of { missing: 'boot-program' | 'kernel' | 'initrd' } or { altered: 'kernel' | 'initrd' }");
  if (fault.missing !== undefined && !['boot-program', 'kernel', 'initrd'].includes(fault.missing)) throw bad(`${at}.missing`, fault.missing, "'boot-program', 'kernel' or 'initrd'");
  if (fault.altered !== undefined && !['kernel', 'initrd'].includes(fault.altered)) throw bad(`${at}.altered`, fault.altered, "'kernel' or 'initrd'");
}

function validateDisk(disk: DiskSpec, at: string, bad: (field: string, value: unknown, want: string) => RangeError): void {
  refuseUnknownFields(disk, at, 'a disk', DISK_SPEC_FIELDS);
  const contents = disk.contents;
  if (contents === undefined || contents === 'used') return;
  if (typeof contents !== 'object' || contents === null) throw bad(`${at}.contents`, contents, "'used' or { overlayStore: { label, path, kind } }");
  refuseUnknownFields(contents, `${at}.contents`, 'disk contents', { overlayStore: true });
  const store = contents.overlayStore;
  refuseUnknownFields(store, `${at}.contents.overlayStore`, 'an overlay store', OVERLAY_STORE_LAYOUT_FIELDS);
  if (typeof store?.label !== 'string' || !/^[\w-]{1,16}$/.test(store.label)) throw bad(`${at}.contents.overlayStore.label`, store?.label, 'an ext4 label: 1-16 letters, digits, _ or -');
  if (typeof store.path !== 'string' || !/^\/[\w./-]+$/.test(store.path) || store.path.split('/').includes('..')) throw bad(`${at}.contents.overlayStore.path`, store.path, 'an absolute path of letters, digits, dots, dashes and slashes');
  if (store.kind !== 'snapshot-file' && store.kind !== 'overlayfs-folder') throw bad(`${at}.contents.overlayStore.kind`, store.kind, "'snapshot-file' or 'overlayfs-folder'");
  if ((disk.format ?? 'raw') !== 'raw') throw bad(`${at}.format`, disk.format, "'raw' (an overlay store is written into a raw image)");
}

function validateOverlayStore(store: LiveBootOptions['overlayStore'], at: string, bad: (field: string, value: unknown, want: string) => RangeError): void {
  if (store === undefined) return;
  // One kernel option carries both as DEVICE:PATH, split at the last colon, so neither may hold a space and the path no colon.
  if (typeof store.device !== 'string' || !/^\S+$/.test(store.device)) throw bad(`${at}.device`, store.device, 'a dracut device spec such as LABEL=persist or UUID=...');
  if (typeof store.path !== 'string' || !/^\/[^\s:]*$/.test(store.path)) throw bad(`${at}.path`, store.path, 'an absolute path on that file system, without spaces or colons, such as /LiveOS/overlay.img');
}

function validateBoot(b: BootDefinition, at: string, bad: (field: string, value: unknown, want: string) => RangeError): void {
  if (typeof b !== 'object' || b === null) throw bad(at, b, 'a boot: { name, from, checks, ... }');
  refuseUnknownFields(b, at, 'a boot', BOOT_FIELDS);
  refuseUnknownFields(b.live, `${at}.live`, 'the live options (LiveBootOptions)', LIVE_BOOT_FIELDS);
  refuseUnknownFields(b.live?.persistent, `${at}.live.persistent`, 'live.persistent', LIVE_PERSISTENT_FIELDS);
  refuseUnknownFields(b.live?.overlayStore, `${at}.live.overlayStore`, 'live.overlayStore', LIVE_OVERLAY_STORE_FIELDS);
  validateOverlayStore(b.live?.overlayStore, `${at}.live.overlayStore`, bad);
  refuseUnknownFields(b.expectFailure, `${at}.expectFailure`, 'expectFailure', EXPECT_FAILURE_FIELDS);
  refuseUnknownFields(b.netbootFault, `${at}.netbootFault`, 'netbootFault', NETBOOT_FAULT_FIELDS);
  if (typeof b.name !== 'string' || !b.name.trim()) throw bad(`${at}.name`, b.name, 'a name');
  validateNetbootFault(b.netbootFault, `${at}.netbootFault`, bad);
  if (b.from !== 'network' && b.from !== 'disk') throw bad(`${at}.from`, b.from, "'network' or 'disk'");
  if (!Array.isArray(b.checks)) throw bad(`${at}.checks`, b.checks, 'a list of checks (may be empty)');
  b.checks.forEach((c, j) => {
    if (typeof c?.name !== 'string' || typeof c.run !== 'function') throw bad(`${at}.checks[${j}]`, c, 'a check: { name, run(context) }');
  });
  if (b.kernelArgs !== undefined && (!Array.isArray(b.kernelArgs) || b.kernelArgs.some((a) => typeof a !== 'string' || /\s/.test(a) || !a))) {
    throw bad(`${at}.kernelArgs`, b.kernelArgs, 'a list of kernel options, each one word');
  }
  if (b.deliveryProof !== undefined && b.deliveryProof !== false) throw bad(`${at}.deliveryProof`, b.deliveryProof, 'false (to turn the guest\'s proof of delivery off) or left out');
  if (b.timeoutMs !== undefined && !(typeof b.timeoutMs === 'number' && b.timeoutMs > 0)) throw bad(`${at}.timeoutMs`, b.timeoutMs, 'a positive number of milliseconds');
}
