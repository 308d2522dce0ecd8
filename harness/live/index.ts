export { LIVE_MODULES, liveModuleById } from './registry.js';
export { detectLiveModule } from './detect-live-module.js';
export type { LiveBootOptions, LiveImageFacts, LiveModuleId, LiveModuleProfile, RootExpectation } from './live-module.js';
