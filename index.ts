/**
 * The public API of pxe-harness: `import { defineScenario, check } from 'pxe-harness'` in a
 * scenario file of your own (see docs/writing-scenarios.md).
 */
import * as checks from './harness/scenario/checks/index.js';

export { defineScenario } from './harness/scenario/define-scenario.js';
export type { BootContext, BootDefinition, Check, ScenarioDefinition, ScenarioTarget } from './harness/scenario/define-scenario.js';
export type { CheckOutcome, BootResult, ScenarioResult, Verdict } from './harness/scenario/result.js';
export type { LiveBootOptions } from './harness/live/live-module.js';
export type { CommandResult, SerialShell } from './harness/console/serial-shell.js';
export { runScenarios, type RunOptions } from './harness/engine/run-all.js';
export { SCENARIOS } from './scenarios/index.js';
export { defineConfig, type PxeHarnessConfig } from './cli/config-file.js';

/** Every check a scenario can use: the generic ones for an ISO's own promises, and the harness's own. */
export const check = checks;
