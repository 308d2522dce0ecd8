import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForConsole, type WaitTarget } from '../console/wait.js';
import type { BootSession } from './boot-session.js';
import type { BootResult } from '../scenario/result.js';

/** How long a failed initrd may take to reach dracut's emergency shell, and the copy to finish. */
const EMERGENCY_WAIT_MS = 60_000;
const COPY_WAIT_MS = 60_000;
const SETTLE_MS = 3_000;
/** Printed by the shell after the last file: spelled apart in the command so that its echo does not match. */
const END_MARK = 'PXE-HARNESS-DEBUG-END';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A failed boot that asked for debug evidence: from dracut's emergency shell, the live module's
 * own files (its debug log, curl's errors, dracut's rdsosreport) are printed on the console and
 * kept in module-debug.log; the reason says where. The verdict stays as it was.
 */
export async function withDebugEvidence(session: BootSession, target: WaitTarget | undefined, result: BootResult): Promise<BootResult> {
  const { run, plan } = session;
  // An interrupted run collects nothing: the user asked it to stop; nor does a boot broken off
  // from outside (QEMU killed, a full disk): its failure is not the module's.
  if (!run.boot.debugEvidence || result.verdict === 'PASS' || result.outsideCause !== undefined || !target || !session.machine?.running || run.env.signal?.aborted) return result;
  const file = join(run.artifactsDir, 'module-debug.log');
  const kept = copyFromEmergencyShell(session, target, plan.liveModule.debug.files, file).catch(async (e: unknown) => {
    // No shell (a module may keep retrying its fetch for minutes instead of failing): what the
    // initrd's services printed on the console is the evidence there is.
    const service = initrdServiceLine(plan.liveModule.debug.consoleServices);
    const lines = session.machine!.console.lines.map((l) => l.text).filter((t) => service.test(t));
    await writeFile(file, `${lines.join('\n')}\n`);
    return `no emergency shell for the module's files (${(e as Error).message.split('\n')[0]}); the initrd's service lines of the console are in ${file}${quoteCause(lines)}`;
  });
  // A file that cannot be written (a full disk) leaves the verdict as it is, without the evidence.
  const note = await kept.catch((e: unknown) => `the debug evidence could not be kept: ${(e as Error).message}`);
  return { ...result, reason: `${result.reason}; ${note}`, debugEvidence: note };
}

/** dracut's own services, which run every live module's hooks. */
const DRACUT_SERVICES = /dracut-initqueue|dracut-pre-\w+|dracut-mount|dracut/;

/** Console lines of the initrd's services: dracut's own and the live module's (its debug.consoleServices). */
export const initrdServiceLine = (moduleServices: RegExp): RegExp => new RegExp(`\\b(${DRACUT_SERVICES.source}|${moduleServices.source})(\\[\\d+\\])?:`);

/**
 * The lines of the evidence that name the cause: a tool the initrd lacks (the fetch pipeline's
 * shell says "command not found"), then curl's own error.
 */
export const quoteCause = (lines: readonly string[]) => {
  const missing = lines.find((l) => /: command not found$/.test(l.trim()));
  const error = lines.find((l) => /curl: \(\d+\)/.test(l));
  return `${missing ? `; the initrd lacks a tool: ${missing.trim()}` : ''}${error ? `; curl said: ${error.slice(error.indexOf('curl: (')).trim()}` : ''}`;
};

async function copyFromEmergencyShell(session: BootSession, target: WaitTarget, files: readonly string[], file: string): Promise<string> {
  const machine = session.machine!;
  const signal = session.run.env.signal;
  const none = { partialLine: true, failOn: [] };
  await waitForConsole(target, /Entering emergency mode/, { ...none, timeoutMs: EMERGENCY_WAIT_MS, fromLine: 0 }, signal).catch((e: unknown) => {
    if (signal?.aborted) throw e;
    throw new Error(`dracut's emergency shell did not come within ${EMERGENCY_WAIT_MS / 1000} s (the module may have rebooted or hung)`);
  });
  await sleep(SETTLE_MS);
  machine.write('\r');
  await sleep(SETTLE_MS);
  const from = machine.console.lines.length;
  const [head, tail] = [END_MARK.slice(0, 8), END_MARK.slice(8)];
  machine.write(`for f in ${files.join(' ')}; do [ -e "$f" ] && { echo "===== $f"; cat "$f"; }; done; echo ${head}""${tail}\r`);
  await waitForConsole(target, new RegExp(`^${END_MARK}$`), { ...none, partialLine: false, timeoutMs: COPY_WAIT_MS, fromLine: from }, signal);
  const lines = machine.console.lines.slice(from).map((l) => l.text).filter((t) => t !== END_MARK);
  await writeFile(file, `${lines.join('\n')}\n`);
  return `the live module's debug evidence (${files.join(', ')}) is in ${file}${quoteCause(lines)}`;
}
