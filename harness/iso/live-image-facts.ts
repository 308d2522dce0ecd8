import { open } from 'node:fs/promises';
import { execa } from 'execa';
import { inputError } from '../errors.js';
import { requireTool } from '../util/host-tools.js';
import { readInitrd } from './initrd-files.js';

/** What the harness read from the ISO about its live system, on the host, before any boot. */
export interface LiveImageFacts {
  /** Every file name in the initrd (without a leading /). */
  initrdFiles: readonly string[];
  /** The modules built into the kernel, as its modules.builtin in the initrd lists them (kernel/drivers/block/aoe/aoe.ko); none when it has no such file. */
  builtinModules?: readonly string[];
  /** LiveOS/squashfs.img inside the ISO: where its bytes are and whether it holds a file system image. */
  squashfs?: { offsetBytes: number; sizeBytes: number; holdsRootfsImage: boolean };
  /** The ISO carries an implantisomd5 checksum in its volume descriptor's application area. */
  isomd5Tag: boolean;
}

/** The primary volume descriptor's application use area (ISO 9660: bytes 883-1394 of sector 16). */
const APPLICATION_USE = { offset: 16 * 2048 + 883, length: 512 };
/** A squashfs superblock: magic "hsqs", then the inode count (little-endian u32). */
const SQUASHFS_MAGIC = 0x73717368;
/**
 * A squashfs that only wraps a file system image (KIWI's default: LiveOS/rootfs.img) has a
 * handful of inodes (/, LiveOS, rootfs.img); one that holds the root tree itself has thousands.
 */
const WRAPPER_MAX_INODES = 16;

/** What the harness needs to know about the ISO's live system, read on the host (no mount, no root). */
export async function readLiveImageFacts(isoPath: string, initrdPath: string, initrdInIso: string): Promise<LiveImageFacts> {
  const initrd = await readInitrd(initrdPath, /(^|\/)modules\.builtin$/).catch((cause: unknown) => {
    throw inputError(`ISO ${isoPath}: its ${initrdInIso} is not an initrd the harness can read (${(cause as Error).message.replace(/^initrd \S+: /, '')})`, isoPath, 'pass a KIWI live ISO whose initrd is a (compressed) cpio archive, as dracut writes it', cause);
  });
  const builtinModules = [...initrd.contents.values()].flatMap((text) => text.toString('utf8').split('\n').filter(Boolean));
  const [squashfs, isomd5Tag] = await Promise.all([locateSquashfs(isoPath), hasIsomd5Tag(isoPath)]);
  return { initrdFiles: initrd.names, builtinModules, ...(squashfs ? { squashfs } : {}), isomd5Tag };
}

/**
 * Whether the ISO's kernel can load the module in its initrd: the module file is there (any
 * compression: aoe.ko, aoe.ko.xz, aoe.ko.zst) or the kernel has it built in.
 */
export function initrdHasModule(facts: Pick<LiveImageFacts, 'initrdFiles' | 'builtinModules'>, module: string): boolean {
  const file = new RegExp(`/${module.replace(/[-_]/g, '[-_]')}\\.ko(\\.(xz|zst|gz))?$`);
  return facts.initrdFiles.some((f) => file.test(f)) || (facts.builtinModules ?? []).some((f) => file.test(`/${f}`));
}

/** implantisomd5 writes "ISO MD5SUM = ..." into the application use area of the volume descriptor. */
async function hasIsomd5Tag(isoPath: string): Promise<boolean> {
  const area = await readAt(isoPath, APPLICATION_USE.offset, APPLICATION_USE.length);
  return area.toString('latin1').includes('ISO MD5SUM = ');
}

/** Where LiveOS/squashfs.img lies in the ISO file (xorriso's report_lba), and what kind it is. */
async function locateSquashfs(isoPath: string): Promise<LiveImageFacts['squashfs']> {
  const xorriso = await requireTool('xorriso');
  const result = await execa(xorriso, ['-indev', isoPath, '-find', '/LiveOS/squashfs.img', '-exec', 'report_lba', '--'], { reject: false, all: true });
  const m = /File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*\d+\s*,\s*(\d+)\s*,\s*'\/LiveOS\/squashfs\.img'/.exec(String(result.all ?? ''));
  if (!m) return undefined;
  const offsetBytes = Number(m[1]) * 2048;
  const superblock = await readAt(isoPath, offsetBytes, 8);
  if (superblock.readUInt32LE(0) !== SQUASHFS_MAGIC) return undefined;
  return { offsetBytes, sizeBytes: Number(m[2]), holdsRootfsImage: superblock.readUInt32LE(4) <= WRAPPER_MAX_INODES };
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
