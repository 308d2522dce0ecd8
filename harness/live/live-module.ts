import type { ConsoleContribution } from '../console/console-knowledge.js';
import type { ByteRange } from '../iso/iso-digest.js';

export type LiveModuleId = 'kiwi-live';

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
  /** The block device that holds the live ISO after a deploy into RAM. */
  readonly ramImageDevice: string;
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
