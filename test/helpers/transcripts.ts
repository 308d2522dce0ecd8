import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Real serial logs of PXE boots on these machines (copied from shared/transcripts). */
export const TRANSCRIPTS_DIR = join(import.meta.dirname, '..', 'fixtures', 'transcripts');

export const readTranscript = (name: string): Buffer => readFileSync(join(TRANSCRIPTS_DIR, name));

export const SUCCESSFUL_TRANSCRIPTS = [
  'ram-deploy-http.serial.log',
  'ram-deploy-ftp.serial.log',
  'persistent-deploy-first-boot.serial.log',
  'persistent-deploy-second-boot.serial.log',
  'persistent-deploy-kiwi11-first-boot.serial.log',
  'standalone-disk-boot-kiwi11.serial.log',
];
export const FAILED_TRANSCRIPT = 'failed-fetch-fatal-mount.serial.log';

/** Feeds bytes in uneven chunks, as a socket would deliver them (splits escapes and UTF-8). */
export function* chunksOf(bytes: Buffer, size = 937): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
