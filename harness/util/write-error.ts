/** A file the harness could not write (a full disk, a folder gone), and why. */
export interface FileWriteError {
  filePath: string;
  error: Error;
}

/**
 * The cause of a failed file operation without the path Node repeats after it: "ENOSPC: no
 * space left on device" out of "ENOSPC: no space left on device, open '/out/x'"; the message as
 * it is when it has no such form.
 */
export function causeOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  const described = /^([A-Z][A-Z0-9_]+: [^,]+)/.exec(message)?.[1];
  return described ?? (typeof code === 'string' ? `${code}: ${message}` : message);
}

/** "/out/s/serial.log could not be written (ENOSPC: no space left on device)". */
export const describeWriteError = (failure: FileWriteError): string => `${failure.filePath} could not be written (${causeOf(failure.error)})`;
