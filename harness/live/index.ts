export { LIVE_MODULES, liveModuleById, liveModuleIds } from './registry.js';
export { detectLiveModule } from './detect-live-module.js';
export type { LiveBootOptions, LiveImageFacts, LiveModuleProfile, LiveSource, RootExpectation } from './live-module.js';
export type { LiveModuleId } from './registry.js';
export { dracutVersion, EMERGENCY_SHELL_ARGS } from './dracut.js';
