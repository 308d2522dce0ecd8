import type { BootDefinition, ScenarioDefinition } from '../scenario/define-scenario.js';
import type { BootResult, ScenarioResult } from '../scenario/result.js';

/**
 * What the runner tells whoever watches a run (the reporters); every hook is optional. The runner
 * knows observers only through this interface, never a reporter.
 */
/** What a run found out about its target before the first boot. */
export interface RunInfo {
  iso: string;
  /** The live module that boots the ISO and what showed it (a file of the initrd). */
  liveModule: { id: string; evidence: string };
}

export interface RunObserver {
  onRunInfo?(info: RunInfo): void;
  onRunStart?(scenarios: ScenarioDefinition[]): void;
  onScenarioStart?(scenario: ScenarioDefinition): void;
  onBootStart?(scenario: ScenarioDefinition, boot: BootDefinition, index: number): void;
  onPhase?(scenario: ScenarioDefinition, boot: BootDefinition, phase: string): void;
  /** Bytes of the current transfer so far (frequent: throttle what you print). */
  onTransferProgress?(scenario: ScenarioDefinition, path: string, bytesSent: number): void;
  onBootEnd?(scenario: ScenarioDefinition, result: BootResult): void;
  onScenarioEnd?(result: ScenarioResult): void;
  onRunEnd?(results: ScenarioResult[]): void | Promise<void>;
}

/** Calls the same hook on several observers. */
export function combineObservers(observers: readonly RunObserver[]): RunObserver {
  const each =
    <K extends keyof RunObserver>(key: K) =>
    (...args: Parameters<NonNullable<RunObserver[K]>>) => {
      for (const o of observers) (o[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
    };
  return {
    onRunInfo: each('onRunInfo'),
    onRunStart: each('onRunStart'),
    onScenarioStart: each('onScenarioStart'),
    onBootStart: each('onBootStart'),
    onPhase: each('onPhase'),
    onTransferProgress: each('onTransferProgress'),
    onBootEnd: each('onBootEnd'),
    onScenarioEnd: each('onScenarioEnd'),
    onRunEnd: async (results) => {
      for (const o of observers) await o.onRunEnd?.(results);
    },
  };
}
