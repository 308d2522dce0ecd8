import { LOGIN_PROMPT } from '../console/phases.js';
import { ConsoleWait } from './console-wait.js';
import { TransferFailureWait, TransferStallWait } from './transfer-waits.js';
import { anyOf } from './wait-strategy.js';

/** Every wait the harness composes a boot's goal from. */
export const Wait = {
  forConsole: (pattern: RegExp) => new ConsoleWait(pattern),
  /** getty's prompt: an unterminated line. */
  forLoginPrompt: () => new ConsoleWait(LOGIN_PROMPT).withPartialLine(),
  forFailedTransfer: () => new TransferFailureWait(),
  forStalledTransfer: (stallMs: number) => new TransferStallWait(stallMs),
  anyOf,
};

export type { WaitStrategy } from './wait-strategy.js';
export { TransferWaitError } from './transfer-waits.js';
