import type { ConsoleContribution } from '../console/console-knowledge.js';
import type { ByteRange } from '../iso/iso-digest.js';
import type { LiveImageFacts } from '../iso/live-image-facts.js';

/** The facts are read by iso/ (a building block below the axes); the live modules judge them. */
export type { LiveImageFacts };

export type LiveModuleId = 'kiwi-live' | 'dmsquash';

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
  /** Verify the ISO's embedded checksum before booting it (kiwi-live: mediacheck, dmsquash: rd.live.check). */
  mediaCheck?: boolean;
  /** Extra options for the module's curl, one word each (kiwi-live: rd.kiwi.live.curl_options, comma form). */
  curlOptions?: string[];
  /**
   * The ISO is fetched compressed and must be decompressed as it arrives (kiwi-live: a URL ending
   * in .xz). Set by the runner from the scenario's publish.compressed, not in a boot's options.
   */
  fetchCompressed?: 'xz';
  /** The ISO is an AoE block device on the guest's Ethernet segment (root=live:AOEINTERFACE=); set by the runner. */
  aoe?: boolean;
}

/** Where the booted guest keeps the live root: what `/` must be, and how to tell. */
export interface RootExpectation {
  /** e.g. "overlayfs over /run/rootfsbase". */
  describe: string;
  /** Judges `findmnt -rn -o FSTYPE,SOURCE /` of the booted guest. */
  matches(fstype: string, source: string): boolean;
}

/** A file in the ISO the netboot loader needs. */
export interface LoaderLocations {
  kernel: string;
  initrd: string;
}

/**
 * Everything specific to the dracut module that boots the ISO's live system: where kernel and
 * initrd are in the ISO, its kernel options, where the booted guest keeps the live image and the
 * writable layer, and what it prints. Add one: a file next to kiwi-live.ts, registered in index.ts.
 */
export interface LiveModuleProfile extends ConsoleContribution {
  readonly id: LiveModuleId;
  readonly description: string;
  readonly loaderLocations: LoaderLocations;
  /** The kernel options of a network boot of `isoUrl` with these options (the seed's form). */
  kernelArgs(isoUrl: string, options: LiveBootOptions): string[];
  /**
   * Shell for the booted guest: prints the block device that holds the live ISO after a RAM
   * deploy on its first line, and where that device's bytes live on its second.
   */
  readonly ramImageLocator: string;
  /** What `/` is in the booted guest for these options (the module's overlay). */
  rootExpectation(options: LiveBootOptions, facts: LiveImageFacts): RootExpectation;
  /** Why this module cannot do what the options ask of it on this ISO; undefined when it can. */
  unsupported(options: LiveBootOptions, facts: LiveImageFacts): string | undefined;
  /** Initrd file names that identify the module (any one is enough). */
  readonly initrdMarkers: readonly RegExp[];
  /** A file the initrd must also carry for a network boot, and why. */
  readonly netbootRequires?: { file: RegExp; what: string };
  /** The module's own debug log: the kernel options that switch it on and the files it writes in the initrd. */
  readonly debug: { kernelArgs: readonly string[]; files: readonly string[] };
  /** The media check: its tool (a file in the initrd) and where its verdict on a good ISO shows. */
  readonly mediaCheck: { tool: RegExp; toolName: string; passed: { console: RegExp } | { file: string; line: RegExp } };
  /** Where the booted system has mounted the writable layer of its overlay. */
  readonly writableLayerMount: string;
  /** The file system label of a persistent writable layer on the deploy disk. */
  readonly cowLabel: string;
  /**
   * The bytes of the ISO's image that a deploy to a disk may legitimately change (the partition
   * table it extends); everything else on the disk must equal the published ISO.
   */
  diskDeployRewrites(image: { sizeBytes: number; gpt: boolean }): ByteRange[];
}
