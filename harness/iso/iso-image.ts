import { open, stat } from 'node:fs/promises';
import { inputError } from '../errors.js';

/** ISO 9660: the primary volume descriptor sits in sector 16 (2048-byte sectors). */
const PVD_OFFSET = 16 * 2048;

export interface IsoInfo {
  path: string;
  sizeBytes: number;
  /** The volume id of the primary volume descriptor (KIWI: "CDROM" unless set). */
  volumeId: string;
  /** The size the volume descriptor declares: volume space size x logical block size. */
  declaredBytes: number;
  /** The descriptor's publisher and data preparer identifiers (KIWI writes its name as preparer). */
  publisher: string;
  preparer: string;
}

export interface PrimaryVolumeDescriptor {
  volumeId: string;
  /** Bytes 80-87: the volume space size in logical blocks (both-endian 32 bit). */
  volumeSpaceBlocks: number;
  /** Bytes 128-131: the logical block size (both-endian 16 bit), 2048 in practice. */
  logicalBlockSize: number;
  /** False when the little- and big-endian halves of those fields disagree: a damaged descriptor. */
  consistent: boolean;
  /** Bytes 318-445 and 446-573: the publisher and data preparer identifiers. */
  publisher: string;
  preparer: string;
}

/** Parses an ISO 9660 primary volume descriptor; undefined when the bytes are not one. */
export function parsePrimaryVolumeDescriptor(sector: Buffer): PrimaryVolumeDescriptor | undefined {
  if (sector.length < 132) return undefined;
  if (sector[0] !== 1 || sector.toString('latin1', 1, 6) !== 'CD001') return undefined;
  const volumeSpaceBlocks = sector.readUInt32LE(80);
  const logicalBlockSize = sector.readUInt16LE(128);
  return {
    volumeId: sector.toString('latin1', 40, 72).trim(),
    volumeSpaceBlocks,
    logicalBlockSize,
    consistent: sector.readUInt32BE(84) === volumeSpaceBlocks && sector.readUInt16BE(130) === logicalBlockSize,
    publisher: sector.length >= 574 ? sector.toString('latin1', 318, 446).trim() : '',
    preparer: sector.length >= 574 ? sector.toString('latin1', 446, 574).trim() : '',
  };
}

/** 196083712 -> "187.0 MiB (196083712 bytes)": the MiB to read, the bytes for when they round alike. */
function sizeText(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB (${bytes} bytes)`;
}

/**
 * Reads what the harness needs to know about an ISO file without mounting it, and refuses a
 * file that is not one, or only the start of one (a download or copy cut short), with an error
 * naming the file. A file longer than its volume (padding, a hybrid ISO's appended partitions)
 * is fine.
 */
export async function inspectIso(path: string): Promise<IsoInfo> {
  let sizeBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw inputError(`ISO ${path} is not a regular file`, path, 'pass the path of a live ISO file with --iso');
    sizeBytes = info.size;
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'HarnessError') throw cause;
    throw inputError(`ISO ${path} cannot be read: ${(cause as Error).message}`, path, 'pass the path of an existing, readable live ISO with --iso', cause);
  }
  const sector = Buffer.alloc(2048);
  let bytesRead = 0;
  try {
    const handle = await open(path, 'r');
    try {
      ({ bytesRead } = await handle.read(sector, 0, sector.length, PVD_OFFSET));
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw inputError(`ISO ${path} cannot be read: ${(cause as Error).message}`, path, 'check the file permissions', cause);
  }
  const pvd = bytesRead === sector.length ? parsePrimaryVolumeDescriptor(sector) : undefined;
  if (!pvd) {
    throw inputError(
      `${path} is not an ISO 9660 image (no CD001 primary volume descriptor at byte ${PVD_OFFSET})`,
      path,
      'pass a KIWI live ISO (the *.iso that kiwi-ng system build writes)',
    );
  }
  const declaredBytes = pvd.volumeSpaceBlocks * pvd.logicalBlockSize;
  if (!pvd.consistent || declaredBytes === 0) {
    throw inputError(
      `ISO ${path} has a damaged primary volume descriptor (its volume size fields disagree or are zero)`,
      path,
      'download or copy the ISO again',
    );
  }
  if (sizeBytes < declaredBytes) {
    throw inputError(
      `ISO ${path} is truncated: its volume descriptor declares ${sizeText(declaredBytes)}, the file has ${sizeText(sizeBytes)}`,
      path,
      'download or copy the ISO again',
    );
  }
  return { path, sizeBytes, volumeId: pvd.volumeId, declaredBytes, publisher: pvd.publisher, preparer: pvd.preparer };
}
