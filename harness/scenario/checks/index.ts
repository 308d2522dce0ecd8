/** Every check a scenario can use, grouped by what it reads; the package's `check` is this. */
export * from './transfer-checks.js';
export * from './live-module-checks.js';
export * from './guest-checks.js';
export * from './disk-checks.js';
export * from './network-checks.js';
export * from './image-checks.js';
export * from './generic-checks.js';
export * from './overlay-store-checks.js';
