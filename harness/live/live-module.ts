import type { ConsoleContribution } from '../console/console-knowledge.js';
import type { ByteRange } from '../iso/iso-digest.js';
import type { LiveSource } from '../publish/publisher.js';

export type { LiveSource } from '../publish/publisher.js';
import type { LiveImageFacts } from '../iso/live-image-facts.js';

/** The facts are read by iso/ (a building block below the axes); the live modules judge them. */
export type { LiveImageFacts };

/**
 * What a boot asks of the live module, independent of its spelling on the kernel command line:
 * the module's profile turns it into its own options.
 */
export interface LiveBootOptions {
  /** The RAM disk's size in KiB (brd's ramdisk_size), when not the module's default. */
  ramdiskSizeKiB?: number;
  /** Deploy the ISO to this block device instead of RAM. */
  system?: string;
  /** Keep the overlay's writable layer on the deploy disk, with this file system. */
  persistent?: { cowfs: 'xfs' | 'ext4' };
  /** Deploy again over an already deployed disk. */
  reset?: boolean;
  /** Fetch over https without verifying the publisher's certificate. */
  insecureTls?: boolean;
  /** Copy the live root image into RAM (dmsquash's rd.live.ram). */
  ramCopy?: boolean;
  /** Ask for this kind of overlay instead of the module's default. */
  overlay?: 'overlayfs';
  /**
   * Keep the overlay's writable layer in a store on an attached disk's file system (dmsquash's
   * rd.live.overlay=DEVICE:PATH): a file there holds a device-mapper snapshot, a folder (with
   * `ovlwork` beside it) overlayfs's upper layer.
   */
  overlayStore?: OverlayStoreOptions;
  /** The room of a temporary overlay's writable layer, in MiB (both modules read rd.live.overlay.size: dracut documents MiB, kiwi-live passes it to tmpfs's size=). */
  overlaySizeMiB?: number;
  /** Verify the ISO's embedded checksum before booting it (kiwi-live: mediacheck, dmsquash: rd.live.check). */
  mediaCheck?: boolean;
  /** Extra options for the module's curl, one word each (kiwi-live: rd.kiwi.live.curl_options, comma form). */
  curlOptions?: string[];
  /**
   * The ISO is fetched compressed and must be decompressed as it arrives (kiwi-live: a URL ending
   * in .xz). Set by the runner from the scenario's publish.compressed, not in a boot's options.
   */
  fetchCompressed?: 'xz';
  /** The file name of the URL the module fetches (its path's last part). Set by the runner from the scenario's publish, not in a boot's options. */
  fetchFileName?: string;
}

/** Where a persistent overlay lives, and how the module is to treat it. */
export interface OverlayStoreOptions {
  /** How the module finds the file system: a dracut device spec such as LABEL=persist or /dev/vda. */
  device: string;
  /** The store's path on that file system, from its root: a file or a folder. */
  path: string;
  /** Empty the store before use (rd.live.overlay.reset). */
  reset?: boolean;
  /** Put the store below a fresh temporary layer: its data visible, new writes kept nowhere (rd.live.overlay.readonly). */
  readonly?: boolean;
  /** Go on with a temporary overlay without asking when the store is not found (rd.live.overlay.nouserconfirmprompt). */
  noPrompt?: boolean;
}

/** Every field of LiveBootOptions (a scenario's boot.live is checked against it: a misspelt field is refused). */
export const LIVE_BOOT_FIELDS = {
  ramdiskSizeKiB: true, system: true, persistent: true, reset: true, insecureTls: true, ramCopy: true, overlay: true, overlayStore: true, overlaySizeMiB: true, mediaCheck: true, curlOptions: true, fetchCompressed: true, fetchFileName: true,
} as const satisfies Record<keyof LiveBootOptions, true>;

/** Every field of LiveBootOptions.overlayStore. */
export const LIVE_OVERLAY_STORE_FIELDS = { device: true, path: true, reset: true, readonly: true, noPrompt: true } as const satisfies Record<keyof OverlayStoreOptions, true>;

/** Every field of LiveBootOptions.persistent. */
export const LIVE_PERSISTENT_FIELDS = { cowfs: true } as const satisfies Record<keyof NonNullable<LiveBootOptions['persistent']>, true>;

/** Where the booted guest keeps the live root: what `/` must be, and how to tell. */
export interface RootExpectation {
  /** e.g. "overlayfs over /run/rootfsbase". */
  describe: string;
  /** Judges `findmnt -rn -o FSTYPE,SOURCE /` of the booted guest. */
  matches(fstype: string, source: string): boolean;
}

/**
 * Everything specific to the dracut module that boots the ISO's live system: its kernel options, where the booted guest keeps the live image and the
 * writable layer, and what it prints. Add one: a file next to kiwi-live.ts, registered in index.ts.
 */
export interface LiveModuleProfile<Id extends string = string> extends ConsoleContribution {
  readonly id: Id;
  readonly description: string;
  /**
   * The kernel options of a network boot of the ISO at `source` with these options (the seed's
   * form), spelt as the ISO's initrd knows them (its facts, when read).
   */
  /** The boot entry's kernel options; `console` names the architecture's serial port (ttyS0, ttyAMA0). */
  kernelArgs(source: LiveSource, options: LiveBootOptions & { console: string }, facts?: LiveImageFacts): string[];
  /** The kernel option that makes the module's fetch skip verifying the publisher's TLS certificate. */
  readonly insecureTlsOption: string;
  /**
   * Shell for the booted guest: prints the block device that holds the live ISO after a RAM
   * deploy on its first line, and where that device's bytes live on its second.
   */
  readonly ramImageLocator: string;
  /** What `/` is in the booted guest for these options (the module's overlay). */
  rootExpectation(options: LiveBootOptions, facts: LiveImageFacts): RootExpectation;
  /**
   * Why this module cannot do what the options ask of it on this ISO, or boot it from `source`
   * (when known: it is once the ISO is published); undefined when it can.
   */
  unsupported(options: LiveBootOptions, facts: LiveImageFacts, sourceKind: LiveSource['kind']): string | undefined;
  /** Initrd file names that identify the module (any one is enough). */
  readonly initrdMarkers: readonly RegExp[];
  /** A file the initrd must also carry for a network boot, and why. */
  readonly netbootRequires?: { file: RegExp; what: string };
  /**
   * The module's own debug log: the kernel options that switch it on, the files it writes in the
   * initrd, and the names its initrd services print on the console under (beside dracut's own).
   */
  readonly debug: { kernelArgs: readonly string[]; files: readonly string[]; consoleServices: RegExp };
  /** Where the module copies the live root image in RAM when asked to (LiveBootOptions.ramCopy); none when it cannot. */
  readonly ramCopy?: { path: string };
  /** The media check: its tool (a file in the initrd) and where its verdict on a good ISO shows. */
  readonly mediaCheck: { tool: RegExp; toolName: string; passed: { console: RegExp } | { file: string; line: RegExp } };
  /** Where the booted system has mounted the writable layer of its overlay. */
  readonly writableLayerMount: string;
  /**
   * What a bare number in rd.live.overlay.size is worth, in bytes, as the module's code reads it
   * (dracut documents MiB; kiwi-live hands the value to tmpfs, which reads bytes), and where that
   * was read.
   */
  readonly overlaySizeUnit: { bytes: number; readIn: string };
  /** The file system label of a persistent writable layer on the deploy disk. */
  readonly cowLabel: string;
  /** The tools in the initrd that the module's options need, each with what needs it (inspect names the missing ones). */
  readonly initrdTools: readonly { tool: string; neededFor: string }[];
  /**
   * The bytes of the ISO's image that a deploy to a disk may legitimately change (the partition
   * table it extends); everything else on the disk must equal the published ISO.
   */
  diskDeployRewrites(image: { sizeBytes: number; gpt: boolean }): ByteRange[];
}
