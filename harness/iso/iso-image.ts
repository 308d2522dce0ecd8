import { open, stat } from 'node:fs/promises';
import { inputError } from '../errors.js';

/** ISO 9660: the primary volume descriptor sits in sector 16 (2048-byte sectors). */
const PVD_OFFSET = 16 * 2048;

export interface IsoInfo {
  path: string;
  sizeBytes: number;
  /** The volume id of the primary volume descriptor (KIWI: "CDROM" unless set). */
  volumeId: string;
}

/** Parses an ISO 9660 primary volume descriptor; undefined when the bytes are not one. */
export function parsePrimaryVolumeDescriptor(sector: Buffer): { volumeId: string } | undefined {
  if (sector.length < 72) return undefined;
  if (sector[0] !== 1 || sector.toString('latin1', 1, 6) !== 'CD001') return undefined;
  return { volumeId: sector.toString('latin1', 40, 72).trim() };
}

/**
 * Reads what the harness needs to know about an ISO file without mounting it, and refuses a
 * file that is not one with an error naming the file.
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
  return { path, sizeBytes, volumeId: pvd.volumeId };
}
