import type { BootDefinition, ScenarioDefinition } from '../scenario/define-scenario.js';
import type { BootResult, ScenarioResult } from '../scenario/result.js';
import type { IsoFacts } from './iso-facts.js';

/**
 * What the runner tells whoever watches a run (the reporters); every hook is optional. The runner
 * knows observers only through this interface, never a reporter.
 */
/** What a run found out about its target before the first boot. */
export interface RunInfo {
  iso: string;
  /** The live module that boots the ISO and what showed it (a file of the initrd). */
  liveModule: { id: string; evidence: string };
  /** What the harness read from the ISO before any boot (the facts `inspect` prints). */
  facts?: IsoFacts;
}

export type { IsoFacts };

export interface RunObserver {
  /** Names the observer in the line the run writes when one of its hooks fails. */
  name?: string;
  onRunInfo?(info: RunInfo): void;
  onRunStart?(scenarios: ScenarioDefinition[]): void;
  onScenarioStart?(scenario: ScenarioDefinition): void;
  onBootStart?(scenario: ScenarioDefinition, boot: BootDefinition, index: number): void;
  onPhase?(scenario: ScenarioDefinition, boot: BootDefinition, phase: string): void;
  /** Bytes of the current transfer so far (frequent: throttle what you print). */
  onTransferProgress?(scenario: ScenarioDefinition, path: string, bytesSent: number): void;
  onBootEnd?(scenario: ScenarioDefinition, result: BootResult): void;
  /**
   * A scenario's verdict. A reporter may write here (a promise, not waited for by the run; a
   * rejection is named on stderr like a throw): results.json and junit.xml are rewritten here.
   */
  onScenarioEnd?(result: ScenarioResult): void | Promise<void>;
  onRunEnd?(results: ScenarioResult[]): void | Promise<void>;
}

type Hook = Exclude<keyof RunObserver, 'name'>;

/**
 * Calls one observer's hook so that nothing it does reaches the run: a throw or a rejected
 * promise becomes one line on stderr (the reporter's fault must not turn a scenario into ERROR
 * nor end the run, and the other reporters still see every event).
 */
async function callIsolated(observer: RunObserver, hook: Hook, args: unknown[]): Promise<void> {
  const say = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`pxe-harness: reporter ${observer.name ?? 'unnamed'} failed in ${hook}: ${message}; the run goes on\n`);
  };
  try {
    await (observer[hook] as ((...a: unknown[]) => unknown) | undefined)?.apply(observer, args);
  } catch (error) {
    say(error);
  }
}

/**
 * Calls the same hook on several observers, each isolated from the others and from the run
 * (Playwright's multiplexer). The event hooks return at once (a slow reporter does not hold the
 * boot up); onRunEnd waits for each observer in turn, as the run's end waits for its reports.
 */
export function combineObservers(observers: readonly RunObserver[]): RunObserver {
  const each =
    <K extends Hook>(key: K) =>
    (...args: Parameters<NonNullable<RunObserver[K]>>) => {
      for (const o of observers) void callIsolated(o, key, args);
    };
  return {
    name: 'combined',
    onRunInfo: each('onRunInfo'),
    onRunStart: each('onRunStart'),
    onScenarioStart: each('onScenarioStart'),
    onBootStart: each('onBootStart'),
    onPhase: each('onPhase'),
    onTransferProgress: each('onTransferProgress'),
    onBootEnd: each('onBootEnd'),
    onScenarioEnd: each('onScenarioEnd'),
    onRunEnd: async (results) => {
      for (const o of observers) await callIsolated(o, 'onRunEnd', [results]);
    },
  };
}
