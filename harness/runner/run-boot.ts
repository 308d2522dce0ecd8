import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PhaseTracker } from '../console/phases.js';
import { FAIL_SIGNATURES, matchFailSignature, WARNING_SIGNATURES } from '../console/signatures.js';
import { SerialShell } from '../console/serial-shell.js';
import { ConsoleWaitError, Wait, waitForConsole, type WaitTarget } from '../console/wait.js';
import { readDiskEvidence, type DiskEvidence } from '../disk/disk-evidence.js';
import type { DiskImage } from '../disk/disk-image.js';
import { HarnessError, isHarnessError } from '../errors.js';
import { startHttpPublisher } from '../publish/http-publisher.js';
import { PublishedFiles } from '../publish/published-files.js';
import type { Publisher } from '../publish/publisher.js';
import { describeTransfer, formatBytes, isFailedTransfer, TransferLog } from '../publish/transfer-log.js';
import { MachineBuilder, type StartedMachine } from '../qemu/machine.js';
import { buildTimeline } from '../report/timeline.js';
import { liveBootArgs } from '../tftp/pxelinux-config.js';
import { createTftpRoot } from '../tftp/tftp-root.js';
import { findKnownIssue, knownIssuesOf } from './known-issues.js';
import type { BootResult, CheckOutcome, Verdict } from './result.js';
import type { RunEnvironment } from './run-scenario.js';
import type { BootContext, BootDefinition, ScenarioDefinition } from './scenario.js';
import { TeardownStack } from './teardown.js';
import { settlesWithin } from '../util/settles-within.js';

/**
 * One boot of a scenario: the TFTP root, QEMU, the wait for the login prompt raced against every
 * way it can fail, the checks, a clean power-off and the disk evidence; then the verdict, with
 * expected failures, known issues and one retry of an infrastructure flake applied.
 */

/** The guest-side address of every publisher (a QEMU guest forward, not a real host). */
export const PUBLISH_ADDRESS = '10.0.2.100';

export interface BootRun {
  scenario: ScenarioDefinition;
  boot: BootDefinition;
  index: number;
  env: RunEnvironment;
  publisher: Publisher;
  transfers: TransferLog;
  disks: DiskImage[];
  state: Map<string, string>;
  runtimeDir: string;
  artifactsDir: string;
  isoUrl: string;
  iso: BootContext['iso'];
}

/** The guest port of the boot file server (lpxelinux loading kernel and initrd over HTTP). */
export const LOADER_HTTP_PORT = 8080;

/** A transfer that sends no byte for this long is a stall. */
const STALL_MS = 30_000;

/** How long a guest may take to power off cleanly (so its writes reach the disk). */
const POWEROFF_TIMEOUT_MS = 120_000;

export async function runBoot(run: BootRun): Promise<BootResult> {
  const result = await runBootWithRetry(run);
  const known = run.env.knownIssues ?? [];
  if (result.verdict === 'FAIL') {
    const issue = findKnownIssue(known, run.scenario.name, run.boot.name, result.reason);
    if (issue) return { ...result, verdict: 'XFAIL', reason: `known issue: ${issue.why} (${issue.link}); seen: ${result.reason}` };
  }
  if (result.verdict === 'PASS') {
    const fixed = knownIssuesOf(known, run.scenario.name, run.boot.name);
    if (fixed.length) return { ...result, verdict: 'XPASS', reason: `passed despite a known issue, which seems fixed: remove it from the known issues (${fixed[0]!.link})` };
  }
  return result;
}

async function runBootWithRetry(run: BootRun): Promise<BootResult> {
  let result = await bootOnce(run);
  if (retryable(result) && !run.env.signal?.aborted) {
    // One retry; the flaky attempt stays in the reason and its artifacts in their own folder.
    const first = result;
    result = await bootOnce({ ...run, artifactsDir: `${run.artifactsDir}-retry`, runtimeDir: `${run.runtimeDir}-retry` });
    result = { ...result, reason: `${result.reason} (after an infrastructure ERROR, retried once: ${first.reason})` };
  }
  const expected = run.boot.expectFailure;
  if (!expected || result.verdict === 'ERROR') return result;
  if (result.verdict === 'PASS') return { ...result, verdict: 'FAIL', reason: `expected a failure (${expected.why}), but the boot passed` };
  const phaseOk = !expected.phase || expected.phase === result.phase;
  if (expected.reason.test(result.reason) && phaseOk) {
    return { ...result, verdict: 'PASS', reason: `failed as expected (${expected.why}) in phase ${result.phase}: ${result.reason}` };
  }
  const wanted = `${expected.reason}${expected.phase ? ` in phase ${expected.phase}` : ''}`;
  return { ...result, reason: `failed, but not as expected (${expected.why}; wanted ${wanted}, got phase ${result.phase}): ${result.reason}` };
}

async function bootOnce(run: BootRun): Promise<BootResult> {
  const { boot, env } = run;
  const started = Date.now();
  await mkdir(run.runtimeDir, { recursive: true });
  await mkdir(run.artifactsDir, { recursive: true });
  const kernelArgs = boot.from === 'network' ? liveBootArgs(run.isoUrl, boot.kernelArgs) : [];
  const firstTransfer = run.transfers.transfers.length;
  const bootTransfers = () => run.transfers.transfers.slice(firstTransfer);
  const tracker = new PhaseTracker();
  const checks: CheckOutcome[] = [];
  const diskEvidence: DiskEvidence[] = [];
  const warnings: string[] = [];
  const bootFiles = new TransferLog(join(run.artifactsDir, 'boot-files.jsonl'));
  let machine: StartedMachine | undefined;

  let lastVerdict: Verdict | undefined;
  let decidedAtMs: number | undefined;
  const finish = (verdict: Verdict, reason: string): BootResult => ({
    ...((lastVerdict = verdict), {}),
    name: boot.name,
    verdict,
    reason: verdict !== 'PASS' && warnings.length ? `${reason}; console warnings: ${warnings.map((w) => `"${w}"`).join(', ')}` : reason,
    phase: tracker.current,
    durationMs: Date.now() - started,
    timeline: { ...tracker.reachedAtMs },
    events: buildTimeline(
      tracker.reachedAtMs,
      machine ? Date.now() - machine.startedAtMs : 0,
      bootTransfers(),
      machine?.startedAtMs,
    ),
    kernelArgs,
    transfers: bootTransfers(),
    bootFileTransfers: bootFiles.transfers,
    checks,
    warnings,
    disks: diskEvidence,
    artifactsDir: run.artifactsDir,
    consoleTail: machine?.console.tail(30) ?? [],
    decidedAtMs: decidedAtMs ?? Date.now(),
  });

  const teardown = new TeardownStack();
  try {
    const builder = new MachineBuilder({ artifactsDir: run.artifactsDir, runtimeDir: run.runtimeDir })
      .withName(`pxe-harness-${run.scenario.name}`)
      .withMemoryMb(env.machine.memoryMb)
      .withCpus(env.machine.cpus)
      .withAccel(env.machine.accel);
    for (const disk of run.disks) builder.withDisk({ path: disk.path, format: disk.format, interface: disk.interface });
    if (boot.from === 'network') {
      const forwards = run.publisher.forwards.map((f) => ({ guestAddress: PUBLISH_ADDRESS, ...f }));
      let loaderBaseUrl: string | undefined;
      if (boot.loader === 'http') {
        // Kernel and initrd from an HTTP server of their own, on a guest port of their own.
        const files = await PublishedFiles.of([
          { urlPath: '/boot/linux', filePath: env.loader.kernelPath },
          { urlPath: '/boot/initrd', filePath: env.loader.initrdPath },
        ]);
        const server = await startHttpPublisher(files, bootFiles, { guestPort: LOADER_HTTP_PORT });
        teardown.add('stop the boot file server', () => server.stop());
        forwards.push(...server.forwards.map((f) => ({ guestAddress: PUBLISH_ADDRESS, ...f })));
        loaderBaseUrl = `http://${PUBLISH_ADDRESS}:${LOADER_HTTP_PORT}`;
      }
      const tftp = await createTftpRoot(join(run.runtimeDir, 'tftp'), env.loader, kernelArgs, loaderBaseUrl ? { loaderBaseUrl } : {});
      await copyFile(tftp.configPath, join(run.artifactsDir, 'pxelinux.cfg'));
      builder.withNetworkBoot(tftp.dir, tftp.bootfile, forwards);
    } else {
      builder.withDiskBoot();
    }

    await writeFile(
      join(run.artifactsDir, 'reproduce.json'),
      JSON.stringify({ iso: env.iso.path, scenario: run.scenario.name, boot: run.index, login: `${env.credentials.user}:${env.credentials.password}` }, null, 2),
    );
    const started_ = await builder.start();
    machine = started_;
    teardown.add('stop QEMU', () => started_.stop());
    // run --keep: a failed machine that still runs is handed to the user before it is stopped.
    teardown.add('attach the console of a failed boot', async () => {
      if (env.attach?.when === 'failed' && lastVerdict !== 'PASS' && started_.running) await env.attach.terminal(started_);
    });
    if (env.attach?.when === run.index) {
      await env.attach.terminal(started_);
      return finish('PASS', 'reproduced with the console attached to the terminal (no checks)');
    }
    started_.console.on('line', (line) => {
      const before = tracker.current;
      tracker.observe(line.text, line.tMs);
      if (matchFailSignature(line.text, WARNING_SIGNATURES)) warnings.push(line.text.trim());
      if (tracker.current !== before) env.reporter?.onPhase?.(run.scenario, boot, tracker.current);
    });
    const target: WaitTarget = { console: started_.console, ended: started_.ended, phase: () => tracker.current };

    // The goal: a login prompt, raced against fail signatures, QEMU's exit, the deadline, and a
    // failed transfer (the publisher's log is the only witness of the fetch: curl's errors stay
    // inside the initrd).
    const transferFailed = new Promise<string>((resolve) => {
      run.transfers.on('transfer', (t) => {
        if (!isFailedTransfer(t)) return;
        decidedAtMs ??= Date.now();
        resolve(`transfer failed: ${describeTransfer(t)}`);
      });
      // A transfer that moves no byte for this long has stalled: curl in the initrd has no timeout
      // of its own and would wait for ever.
      const stallWatch = setInterval(() => {
        for (const t of run.transfers.running) {
          const idleMs = Date.now() - t.lastProgressAtMs;
          if (idleMs >= STALL_MS) {
            decidedAtMs ??= Date.now();
            const size = t.sizeBytes !== undefined ? ` of ${formatBytes(t.sizeBytes)}` : '';
            resolve(`transfer stalled: ${t.protocol} ${t.method} ${t.path} sent no byte for ${Math.round(idleMs / 1000)} s after ${formatBytes(t.bytesSent)}${size}`);
          }
        }
      }, 1_000);
      stallWatch.unref();
      teardown.add('stop the stall watchdog', () => clearInterval(stallWatch));
    });
    const timeoutMs = boot.timeoutMs ?? env.bootTimeoutMs;
    const goal = Wait.forLoginPrompt().withTimeout(timeoutMs).withSilenceLimit(env.silenceMs ?? 120_000);
    const failedTransfer = await Promise.race([
      goal.waitUntilReady(target, env.signal).then((prompt) => {
        decidedAtMs = started_.console.startedAtMs + prompt.tMs;
        // The prompt is an unterminated line: the tracker, fed whole lines, has not seen it yet.
        tracker.observe(prompt.text, prompt.tMs);
        return undefined;
      }),
      transferFailed,
    ]);
    if (failedTransfer) {
      const phaseAtFailure = tracker.current;
      // Give the guest a moment to show what the missing ISO does to it: evidence, not verdict.
      // The verdict waits for it, so the consequence's line (when one comes) is the deciding one.
      const consequence = await waitForConsole(target, /(?!)/, { timeoutMs: CONSEQUENCE_MS, partialLine: false, failOn: FAIL_SIGNATURES }).catch((e: unknown) => {
        if (!(e instanceof ConsoleWaitError) || e.failure === 'timeout') return '';
        decidedAtMs = e.atMs;
        return `; then ${e.message}`;
      });
      await screenshot(started_, run.artifactsDir, 'screen-failure.png');
      return { ...finish('FAIL', `${failedTransfer}${consequence}`), phase: phaseAtFailure };
    }

    let shell: SerialShell | undefined;
    const login = async () => (shell ??= await SerialShell.login(target, (t) => started_.write(t), { credentials: env.credentials }));
    const context: BootContext = {
      iso: run.iso,
      get transfers() {
        return bootTransfers();
      },
      bootFileTransfers: bootFiles.transfers,
      consoleLines: started_.console.lines,
      shell: login,
      disks: run.disks,
      diskEvidence,
      state: run.state,
    };
    const runChecks = async (afterShutdown: boolean) => {
      for (const check of boot.checks.filter((c) => Boolean(c.afterShutdown) === afterShutdown)) {
        try {
          checks.push({ name: check.name, ...(await check.run(context)) });
        } catch (error) {
          checks.push({ name: check.name, ok: false, detail: reasonOf(error) });
          if (!isHarnessError(error) || error.kind !== 'boot') throw error;
        }
      }
    };
    await runChecks(false);
    if (boot.checks.some((c) => !c.afterShutdown)) decidedAtMs = Date.now();
    await screenshot(started_, run.artifactsDir, 'screen-end.png');

    if (run.disks.length) {
      // A clean power-off, so that what the guest wrote is on the disk for the next boot.
      (await login()).poweroff();
      if (!(await settlesWithin(started_.exited, POWEROFF_TIMEOUT_MS))) {
        checks.push({ name: 'the guest powers off cleanly', ok: false, detail: `QEMU still ran ${POWEROFF_TIMEOUT_MS / 1000} s after systemctl poweroff` });
      }
      await started_.stop();
      for (const disk of run.disks) diskEvidence.push(await readDiskEvidence(disk));
      await writeFile(join(run.artifactsDir, 'disk-evidence.json'), JSON.stringify(diskEvidence, null, 2));
      await runChecks(true);
      decidedAtMs = Date.now();
    }
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) return finish('FAIL', failed.map((c) => `${c.name}: NO (${c.detail})`).join('; '));
    return finish('PASS', `login prompt after ${seconds(tracker.reachedAtMs.login)}; ${checks.length} check(s) held`);
  } catch (error) {
    decidedAtMs = error instanceof ConsoleWaitError ? error.atMs : Date.now();
    if (machine) await screenshot(machine, run.artifactsDir, 'screen-failure.png');
    const transfers = bootTransfers();
    const evidence = transfers.length ? ` [transfers: ${transfers.map(describeTransfer).join('; ')}]` : ' [no transfer was made]';
    return finish(verdictOf(error), reasonOf(error) + (isHarnessError(error) && error.kind === 'boot' ? evidence : ''));
  } finally {
    await teardown.runAll();
  }
}

async function screenshot(machine: StartedMachine, dir: string, name: string): Promise<void> {
  if (!machine.running) return;
  await machine.screendump(join(dir, name)).catch(() => undefined);
}

/** How long a failed transfer's verdict waits for the guest to show its consequence. */
const CONSEQUENCE_MS = 20_000;

/** Phases before the initrd runs: nothing has touched a disk yet, and a hang there is a host flake. */
const BEFORE_INITRD: readonly string[] = ['firmware', 'pxelinux', 'kernel'];

export function verdictOf(error: unknown): Verdict {
  // A guest that falls silent before its kernel reached the initrd, or a QEMU that dies before the
  // kernel printed anything, is a host/TCG flake (seen on these machines), not the ISO's fault.
  if (error instanceof ConsoleWaitError && BEFORE_INITRD.includes(error.context.phase ?? '')) {
    if (error.failure === 'silence' || (error.failure === 'ended' && error.context.phase !== 'pxelinux')) return 'ERROR';
  }
  return isHarnessError(error) && error.kind === 'boot' ? 'FAIL' : 'ERROR';
}

/** A boot that ended in ERROR before the initrd ran has not touched the disks: it may run again. */
const retryable = (boot: BootResult) => boot.verdict === 'ERROR' && BEFORE_INITRD.includes(boot.phase);

export function reasonOf(error: unknown): string {
  if (error instanceof HarnessError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const seconds = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)} s`);
