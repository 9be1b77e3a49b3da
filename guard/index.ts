// The safety guard: proves a target is a test target before anything is written or deleted.
// Its own component, light to load, so that every server command can ask it before it writes.
export { checkTarget, assertSafeTarget, formatRefusals, GuardError, type GuardConfig, type GuardCheck, type GuardInput, type NamedUrl, type Refusal } from './guard.js';
export {
  loadTestEnv, describeSource, DEPLOYMENT_CHECK_ENV, UNAVAILABLE_IN_DEPLOYMENT_CHECK, shellEnvironment, TEST_ENV_FILES, readAppEnvFiles, appFileDatabaseUrls, appFileVariable, APP_ENV_FILES, type EnvSource, type AppEnvValue,
} from './env.js';
export { packagesOfCommand, type StartedPackage } from './workspaces.js';
