/** Write errors of stdout and stderr that say their reader is gone, not that the run is broken. */
const READER_GONE = new Set(['EPIPE', 'EIO']);

/**
 * Once the terminal or ssh session the CLI writes to has closed (SIGHUP comes with it) or its
 * reader has gone (a pipe closed), each write to stdout or stderr fails: EIO on a hung-up
 * terminal, EPIPE on a pipe. Node emits that as an 'error' event, which unhandled ends the
 * process at once, without the orderly stop that removes QEMU, its relays and the temp dirs.
 * What is written there is lost; what the run writes to its output folder is not, and it must
 * still stop as it does on SIGINT: so these errors are ignored. Any other write error stays fatal.
 */
export function surviveClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!READER_GONE.has(error.code ?? '')) throw error;
    });
  }
}
