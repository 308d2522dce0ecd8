/**
 * The scenario side of the harness, its public face: what a scenario file imports. `index.ts` at
 * the package's root re-exports it with the engine's `runScenarios`.
 */
export { defineScenario, isDefinedScenario } from './define-scenario.js';
export type { BootContext, BootDefinition, Check, ScenarioDefinition, ScenarioTarget } from './define-scenario.js';
export type { BootResult, CheckOutcome, ScenarioResult, Verdict } from './result.js';
export * from './checks/index.js';
