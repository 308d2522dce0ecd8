import type { BootDefinition, ScenarioDefinition } from '../runner/scenario.js';
import type { BootResult, ScenarioResult } from '../runner/result.js';

/** Reporters only read what the runner tells them; every hook is optional. */
export interface Reporter {
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

/** Calls the same hook on several reporters. */
export function combineReporters(reporters: Reporter[]): Reporter {
  const each =
    <K extends keyof Reporter>(key: K) =>
    (...args: Parameters<NonNullable<Reporter[K]>>) => {
      for (const r of reporters) (r[key] as ((...a: unknown[]) => void) | undefined)?.(...args);
    };
  return {
    onRunStart: each('onRunStart'),
    onScenarioStart: each('onScenarioStart'),
    onBootStart: each('onBootStart'),
    onPhase: each('onPhase'),
    onTransferProgress: each('onTransferProgress'),
    onBootEnd: each('onBootEnd'),
    onScenarioEnd: each('onScenarioEnd'),
    onRunEnd: async (results) => {
      for (const r of reporters) await r.onRunEnd?.(results);
    },
  };
}
