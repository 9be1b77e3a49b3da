import { DEPLOYMENT_CHECK_ENV } from '../guard/index.js';
import type { AppUserCleanup } from './removers.js';

export { DEPLOYMENT_CHECK_ENV };

/**
 * Whether this run's test users are recorded for the app-user removal. A deployment keeps its
 * users in its own database, so in a pre-deploy check an `appUser: { sql }` without a
 * `databaseUrl` of its own would run on this machine's database: it would remove nothing there,
 * or fail the test over a table it lacks. Leftovers of earlier local runs are another matter: their
 * users are in this machine's database, and the removal still runs for them.
 */
export function tracksAppUsers(config: AppUserCleanup | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!config) return false;
  return !env[DEPLOYMENT_CHECK_ENV] || !('sql' in config) || !!config.databaseUrl;
}

/** What the run says once, when this pre-deploy check has no Stripe of the deployment's to remove customers from. */
export const DEPLOYMENT_KEEPS_CUSTOMERS =
  "this pre-deploy check leaves the Stripe customers the deployment makes for its test users: this run has no Stripe of the deployment's. " +
  "To remove them, set STRIPE_SECRET_KEY to the deployment's test-mode key (sk_test_…).";

/**
 * What the run says once, when this pre-deploy check leaves its test users in the deployment's
 * database; undefined when it does not.
 */
export function deploymentKeepsUsersNotice(config: AppUserCleanup | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!config || tracksAppUsers(config, env)) return undefined;
  return "this pre-deploy check leaves its test users in the deployment's database: cleanup.appUser.sql would run on this " +
    "machine's database. To remove them, set cleanup.appUser.databaseUrl to the deployment's database, or cleanup.appUser.url to a removal it serves (a path goes to the deployment).";
}
