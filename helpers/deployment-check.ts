import type { AppUserCleanup } from './removers.js';

/** Set by `vibes predeploy` for its Playwright run: the app under test is a deployment. */
export const DEPLOYMENT_CHECK_ENV = 'VIBES_DEPLOYMENT_CHECK';

/**
 * The app-user removal a run can carry out. A deployment keeps its users in its own database, so
 * in a pre-deploy check an `appUser: { sql }` without a `databaseUrl` of its own would run on this
 * machine's database: it would remove nothing there, or fail the test over a table it lacks.
 */
export function appUserRemoval(config: AppUserCleanup | undefined, env: NodeJS.ProcessEnv = process.env): AppUserCleanup | undefined {
  if (!config || !env[DEPLOYMENT_CHECK_ENV] || !('sql' in config) || config.databaseUrl) return config;
  return undefined;
}

let told = false;

/** Said once per worker, by the first test that makes a user the deployment will keep. */
export function tellDeploymentKeepsUsers(): void {
  if (told) return;
  told = true;
  console.log("vibes: this pre-deploy check leaves its test users in the deployment's database: cleanup.appUser.sql would run on this " +
    "machine's database. To remove them, set cleanup.appUser.databaseUrl to the deployment's database, or cleanup.appUser.url to a removal it serves (a path goes to the deployment).");
}
