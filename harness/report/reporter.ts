import type { RunObserver } from '../engine/run-observer.js';

/** A reporter watches a run through the runner's observer hooks; it only reads, it runs nothing. */
export type Reporter = RunObserver;
