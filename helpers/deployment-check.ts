import { DEPLOYMENT_CHECK_ENV, UNAVAILABLE_IN_DEPLOYMENT_CHECK } from '../guard/index.js';
import type { EntitlementsConfig } from './entitlements.js';
import type { AppUserCleanup } from '../cleanup/index.js';

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

/**
 * The error of a test that asks a pre-deploy check for what it does not have: `what`, then why
 * and what to do. `vibes predeploy` calls a run that fails only on these misconfigured (exit 2).
 */
export function unavailableInDeploymentCheck(what: string, whyAndFix: string): Error {
  return new Error(`${UNAVAILABLE_IN_DEPLOYMENT_CHECK}${what}. ${whyAndFix}`);
}

/**
 * Whether a SQL grant count would run on this machine's database in a pre-deploy check: as with
 * the app-user removal (tracksAppUsers), only a databaseUrl of its own names the deployment's.
 * A count there would find no rows, and toGrantNothing would pass whatever the deployment did.
 */
export function countsOnThisMachine(config: EntitlementsConfig | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env[DEPLOYMENT_CHECK_ENV] && !!config && 'sql' in config && !config.databaseUrl;
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
