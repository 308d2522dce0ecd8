import type { ScenarioDefinition } from '../harness/runner/scenario.js';
import ramDeployFtp from './ram-deploy-ftp.js';
import ramDeployHttp from './ram-deploy-http.js';

/** Every scenario of the main job, in the order they run. */
export const SCENARIOS: readonly ScenarioDefinition[] = [ramDeployHttp, ramDeployFtp];
