import Stripe from 'stripe';
import type { ReplayClient } from '../replay-server/index.js';
import type { OpenAppDatabase } from '../app-database/index.js';
import type { NamedUrl } from '../guard/index.js';
import type { LedgerEntry } from './ledger.js';
import type { StripeMode } from './stripe-mode.js';
import type { StripeRateLimiter } from './rate-limit.js';
import { endpointUrl, isAbsoluteUrl } from '../core/index.js';

/** How the app's own records of a test user are removed: a SQL statement or an HTTP call. */
export type AppUserCleanup =
  | { sql: string; databaseUrl?: string }
  | { url: string; method?: 'DELETE' | 'POST'; headers?: Record<string, string> };

export interface RemoverContext {
  stripe?: Stripe;
  /** Told which customers are about to go, so the webhooks their deletion causes never count. */
  replay?: ReplayClient;
  limiter: StripeRateLimiter;
  appUser?: AppUserCleanup;
  /** Which Stripe `stripe` talks to: recorded with each Stripe entry, so no sweep looks for an object in the wrong one. */
  stripeMode?: StripeMode;
  /** The emulator `stripe` talks to, in emulator mode: recorded too, for a sweep that names none. */
  emulatorUrl?: string;
  /** Where an `appUser: { sql }` removal runs (see `appDatabases`); needed only for one. */
  appDatabase?: OpenAppDatabase;
  /** What an `appUser: { url }` given as a path is on: the run's baseURL. */
  baseURL?: string;
  /**
   * The safety guard for the URL an app-user removal is about to call, as resolved: a killed
   * run's user goes to the base URL it was made on, which this run's checks never saw.
   */
  assertSafeUrl?: (target: NamedUrl) => void;
}

export type RemovableKind = 'stripe-customers' | 'stripe-customer' | 'app-user' | 'custom';

/**
 * Removes one ledger entry by kind. Everything a crashed run registered can be removed from its
 * kind and id alone; `custom` removals are functions and die with their process, so they can
 * only be reported.
 */
export async function removeByKind(kind: string, id: string, context: RemoverContext): Promise<void> {
  switch (kind) {
    case 'stripe-customers':
      return removeStripeCustomersByEmail(id, context);
    case 'stripe-customer':
      return removeStripeCustomers([id], context);
    case 'app-user':
      return removeAppUser(id, context);
    default:
      throw new Error(`a ${kind} removal is a function of the test that registered it; it cannot be run after that process died. Remove "${id}" by hand.`);
  }
}

/**
 * Removes a ledger entry of an earlier run. A Stripe object lives where that run's Stripe was: an
 * emulator's died with it (nothing to look for, and its ids and emails mean nothing in a
 * test-mode account), and a test-mode one can only be removed with a test-mode key, never by
 * asking an emulator, which would find nothing and count it removed.
 */
export async function removeLedgerEntry(entry: Pick<LedgerEntry, 'kind' | 'resource_id' | 'stripe' | 'base_url'>, context: RemoverContext): Promise<void> {
  if (entry.stripe === 'emulator' && context.stripeMode === 'test-mode') return;
  if (entry.stripe === 'test-mode' && context.stripeMode !== 'test-mode') {
    throw new Error('made in Stripe test mode, and this removal has no test-mode key: run `npx vibes sweep` with STRIPE_SECRET_KEY (sk_test_…) set and STRIPE_EMULATOR_URL unset.');
  }
  // An app user given as a path is removed on the base URL it was made on, never on this run's:
  // another deployment would answer 404, and the entry would count as removed.
  const appUser = context.appUser;
  if (entry.kind === 'app-user' && !entry.base_url && appUser && 'url' in appUser && !isAbsoluteUrl(appUser.url)) {
    throw new Error(`cleanup.appUser.url ${JSON.stringify(appUser.url)} is a path, and this entry does not say which base URL its user was made on ` +
      '(its run had none, or it predates their recording): remove the user by hand, or with an absolute URL (`vibes sweep --app-user-url https://…`).');
  }
  return removeByKind(entry.kind, entry.resource_id, { ...context, baseURL: entry.base_url ?? undefined });
}

async function removeStripeCustomersByEmail(email: string, context: RemoverContext): Promise<void> {
  // Stripe lists every customer of the account for an email it is not given: never delete those.
  if (typeof email !== 'string' || !email.includes('@')) throw new Error(`${JSON.stringify(email)} is not an email: refusing to list customers by it`);
  const stripe = requireStripe(context);
  const { limiter } = context;
  const ids: string[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await limiter.call(() => stripe.customers.list({ email, limit: 100, starting_after: startingAfter }));
    ids.push(...page.data.map((c) => c.id));
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data.at(-1)!.id;
  }
  await removeStripeCustomers(ids, context);
}

/**
 * Deleting a customer cancels its subscriptions too, and Stripe then sends customer.deleted and
 * customer.subscription.deleted; the replay server is told first, so those never count. A
 * customer already gone counts as removed.
 */
export async function removeStripeCustomers(ids: readonly string[], context: RemoverContext): Promise<void> {
  if (ids.length === 0) return;
  const stripe = requireStripe(context);
  // A replay server that is down must not keep test data in Stripe; its events only go unmarked.
  await context.replay?.markTeardown([...ids]).catch(() => {});
  for (const id of ids) {
    try {
      await context.limiter.call(() => stripe.customers.del(id));
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing') continue;
      throw error;
    }
  }
}

async function removeAppUser(email: string, context: RemoverContext): Promise<void> {
  const config = context.appUser;
  // Returning here would let the sweep mark the entry removed while the app's rows stay: the
  // record would be lost. Thrown, the entry stays pending for a sweep that knows how.
  if (!config) {
    throw new Error(`no appUser removal configured: nothing says how to remove the app's record of ${email}; a test run takes it from cleanup.appUser in defineVibesConfig; vibes sweep does not read the config: pass it the same as --app-user-sql or --app-user-url.`);
  }
  if ('sql' in config) {
    if (!context.appDatabase) throw new Error('an appUser { sql } removal needs a database: pass appDatabase (appDatabases()) in the RemoverContext.');
    await context.appDatabase('cleanup.appUser.sql', { name: 'cleanup.appUser.databaseUrl', url: config.databaseUrl }).query(config.sql, [email]);
    return;
  }
  const url = endpointUrl('cleanup.appUser.url', config.url, context.baseURL);
  context.assertSafeUrl?.({ name: 'cleanup.appUser.url', url: url.href });
  url.searchParams.set('email', email);
  const method = config.method ?? 'DELETE';
  const response = await fetch(url, { method, headers: config.headers }).catch((error: Error) => {
    const cause = (error.cause as Error | undefined)?.message;
    throw new Error(`${method} ${url.origin}${url.pathname} failed: ${cause ?? error.message}`);
  });
  if (!response.ok && response.status !== 404) throw new Error(`${method} ${url.origin}${url.pathname} answered ${response.status}`);
}

function requireStripe(context: RemoverContext): Stripe {
  if (!context.stripe) throw new Error('no Stripe client to remove Stripe objects with: set STRIPE_EMULATOR_URL or STRIPE_SECRET_KEY (sk_test_…).');
  return context.stripe;
}
