import { createWriteStream, type WriteStream } from 'node:fs';
import type { FileWriteError } from './write-error.js';

/**
 * A file written piece by piece while something runs (a console log, QEMU's stderr). A write
 * that fails (a full disk, a folder gone) must not end the harness, as the unhandled 'error' of a
 * write stream does: the first failure is kept in `failure`, `failed` settles with it, and every
 * write after it is dropped. Whoever reads the evidence decides what an incomplete file means.
 */
export class LogFile {
  private readonly stream: WriteStream;
  private failedWith?: FileWriteError;
  private announce!: (failure: FileWriteError) => void;
  /** Settles with the first failed write; never settles while every write succeeds. */
  readonly failed = new Promise<FileWriteError>((resolve) => (this.announce = resolve));

  constructor(readonly filePath: string) {
    this.stream = createWriteStream(filePath);
    this.stream.on('error', (error) => {
      if (this.failedWith) return;
      this.failedWith = { filePath, error };
      this.announce(this.failedWith);
    });
  }

  get failure(): FileWriteError | undefined {
    return this.failedWith;
  }

  write(chunk: string | Buffer): void {
    if (!this.failedWith) this.stream.write(chunk);
  }

  /** Flushes and closes the file; resolves (never rejects) once it is closed, written whole or not. */
  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed) return resolve();
      this.stream.once('close', () => resolve());
      if (!this.stream.destroyed) this.stream.end();
    });
  }
}
