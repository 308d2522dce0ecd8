import type { Publisher } from '../publish/publisher.js';
import type { TransferLog } from '../publish/transfer-log.js';
import type { StartedMachine } from '../qemu/machine.js';
import type { BootResult } from '../scenario/result.js';
import { describeWriteError, type FileWriteError } from '../util/write-error.js';
import type { BootSession } from './boot-session.js';
import type { TeardownStack } from './teardown.js';

/** Error codes of a write that found no room: the disk (or the user's quota on it) is full. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

const messageOf = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));

/**
 * What broke a boot off from outside the guest and the ISO, in a sentence; undefined when
 * nothing did. Each makes the boot an ERROR whatever the console or the checks said, and one no
 * retry may turn into a PASS:
 *  - the run was stopped (a signal to the harness): the boot did not end, it was ended;
 *  - QEMU ended with neither the harness nor the guest ending it (a signal from a user or the
 *    OOM killer, a crash of QEMU): a console that stops there says nothing of the ISO;
 *  - the disk under the output folder is full, or a file of the boot's evidence (console, QEMU's
 *    stderr, a transfer log) could not be written: a verdict must not rest on evidence that is
 *    not on disk, and a PASS must not hide that it is not.
 * `error` is what broke the boot off, when something was thrown.
 */
export function outsideCause(session: BootSession, error?: unknown): string | undefined {
  const { signal } = session.run.env;
  if (signal?.aborted) return `the run was stopped before this boot ended (${messageOf(signal.reason)})`;
  const qemu = session.machine?.endedUnexpectedly;
  if (qemu) return `${qemu.how}, neither by the harness nor by the guest: the host's doing, not the ISO's${qemu.stderr}`;
  if (DISK_FULL.has((error as { code?: unknown } | undefined)?.code as string)) return `a file of the boot could not be written: ${messageOf(error)}`;
  const lost = session.lostEvidence();
  if (lost.length) return `the boot's evidence is incomplete: ${lost.map(describeWriteError).join('; ')}`;
  return undefined;
}

/** The ERROR of a boot broken off from outside, in the phase the console had reached. */
export function judgeOutsideCause(session: BootSession, cause: string): BootResult {
  return { ...session.finish('ERROR', `${cause} (phase ${session.tracker.current})`), outsideCause: cause };
}

/**
 * Settles with the first failed write of the boot's evidence from the machine's start on (its
 * console and stderr files, the ISO's and the boot files' transfer logs), worded for a wait's
 * message: the boot then ends at once instead of running on to a verdict it cannot back.
 */
export function evidenceLost(machine: StartedMachine, publisher: Publisher, bootFiles: TransferLog | undefined, teardown: TeardownStack): Promise<string> {
  const logs = [publisher.transfers, ...(bootFiles ? [bootFiles] : [])];
  const written = logs.map(
    (log) =>
      new Promise<FileWriteError>((resolve) => {
        log.once('write-error', resolve);
        teardown.add('stop watching a transfer log for failed writes', () => log.off('write-error', resolve));
      }),
  );
  return Promise.race([machine.writeFailed, ...written]).then((failure) => `the boot's evidence is incomplete: ${describeWriteError(failure)}`);
}
