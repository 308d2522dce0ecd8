import { execa, type ResultPromise } from 'execa';
import { onProcessExit } from '../util/exit-hooks.js';
import { settlesWithin } from '../util/settles-within.js';
import { signalGroup } from './signal-group.js';

/*
 * The one way the harness starts a helper process (Playwright's launchProcess is the model): the
 * child leads a process group of its own, so one signal reaches everything it forks; the kill of
 * that group is an exit hook of the harness from before the child does anything, so no crash of
 * the harness leaves it behind; and stop() ends it for sure, politely first.
 */

export interface ProcessExit {
  code: number | undefined;
  signal: string | undefined;
}

/** One polite way of ending the child, and how long it gets to work before the next is tried. */
export interface CloseStep {
  attempt(): unknown;
  settleMs: number;
}

export interface LaunchOptions {
  command: string;
  args: readonly string[];
  /** What the caller reads of the child's output: piped streams are on `child`. */
  stdout?: 'ignore' | 'pipe';
  stderr?: 'ignore' | 'pipe';
  /** stdout and stderr interleaved on `child.all` (both piped). */
  all?: boolean;
  /**
   * The polite ways of stop(), in order, each given its time before the next; SIGKILL to the
   * group follows the last. Default: SIGTERM to the group, 3 s. [] kills at once.
   */
  closeSteps?: (launched: LaunchedProcess) => CloseStep[];
}

export interface LaunchedProcess {
  readonly pid: number;
  /** The execa child, for its piped streams (and its buffered output, once it has ended). */
  readonly child: ResultPromise;
  /** Settles once the child has ended (never rejects); its exit hook is gone by then. */
  readonly exited: Promise<ProcessExit>;
  readonly running: boolean;
  /** Signals the child's whole process group. */
  signal(signal: NodeJS.Signals): boolean;
  /** Ends the child: the close steps, then SIGKILL to the group. Idempotent. */
  stop(): Promise<ProcessExit>;
}

/** SIGTERM to the group, then 3 s for it to end: the default polite close. */
export const terminateGroup = (launched: LaunchedProcess, settleMs = 3_000): CloseStep => ({
  attempt: () => launched.signal('SIGTERM'),
  settleMs,
});

/** Starts `command` in a process group of its own; undefined when it could not be started (no pid). */
export function launchProcess(options: LaunchOptions): LaunchedProcess | undefined {
  const { command, args, stdout = 'ignore', stderr = 'ignore', all = false } = options;
  // cleanup: false: execa's own kill on exit reaches the child only, not its group; ours does.
  const child = execa(command, [...args], { detached: true, stdin: 'ignore', stdout, stderr, all, reject: false, cleanup: false });
  const pid = child.pid;
  if (pid === undefined) {
    void child.catch(() => undefined);
    return undefined;
  }
  const removeExitHook = onProcessExit(() => signalGroup(pid, 'SIGKILL'));
  let running = true;
  const exited: Promise<ProcessExit> = child.then(
    (result) => ({ code: result.exitCode, signal: result.signal }),
    () => ({ code: undefined, signal: undefined }),
  ).then((exit) => {
    running = false;
    removeExitHook();
    return exit;
  });
  let stopping: Promise<ProcessExit> | undefined;
  const launched: LaunchedProcess = {
    pid,
    child,
    exited,
    get running() {
      return running;
    },
    signal: (signal) => signalGroup(pid, signal),
    stop: () => (stopping ??= closeThenKill(launched, options.closeSteps?.(launched) ?? [terminateGroup(launched)])),
  };
  return launched;
}

async function closeThenKill(launched: LaunchedProcess, steps: CloseStep[]): Promise<ProcessExit> {
  for (const step of steps) {
    if (!launched.running) break;
    try {
      await step.attempt();
    } catch {
      /* a polite way that fails leaves the next one, and SIGKILL */
    }
    if (await settlesWithin(launched.exited, step.settleMs)) break;
  }
  if (launched.running) launched.signal('SIGKILL');
  return launched.exited;
}
