import type Stripe from 'stripe';
import type pg from 'pg';
import { idOf, syncEntitlements } from './grants.js';
import { findUserById } from './users.js';

/** Statuses Stripe never leaves: a canceled subscription is not reactivated, a new one is made. */
const TERMINAL_STATUSES = ['canceled', 'incomplete_expired'];

/**
 * `created` is whole seconds, and one change often sends several events in the same second
 * (created `incomplete` then updated `active`; deleted then a late updated). Between those, the
 * one further along Stripe's lifecycle wins, whatever the arrival order.
 */
const STATUS_ORDER = ['incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'paused', 'incomplete_expired', 'canceled'];

const sqlList = (values: string[]) => values.map((value) => `'${value}'`).join(', ');
const rank = (status: string) => `coalesce(array_position(array[${sqlList(STATUS_ORDER)}], ${status}), 0)`;

/** SQL: may an event with this status and `created` replace the stored row `s`? */
function replacesStored(status: string, created: string): string {
  return `s.status not in (${sqlList(TERMINAL_STATUSES)})
    and (s.event_created < ${created} or (s.event_created = ${created} and ${rank('s.status')} <= ${rank(status)}))`;
}

/**
 * The user the subscription belongs to: a user id, `deleted` when its metadata names an account
 * that no longer exists, or null when nothing names one (yet: checkout.session.completed claims it).
 */
async function findSubscriptionOwner(client: pg.PoolClient, subscription: Stripe.Subscription): Promise<string | 'deleted' | null> {
  const named = subscription.metadata?.user_id;
  if (named) return (await findUserById(client, named))?.id ?? 'deleted';
  const customerId = idOf(subscription.customer);
  if (!customerId) return null;
  const { rows } = await client.query<{ id: string }>('select id from demo.users where stripe_customer_id = $1', [customerId]);
  return rows[0]?.id ?? null;
}

/**
 * Applies a `customer.subscription.*` event. Stripe does not deliver in order, so the stored state
 * only moves to an event at least as new (by `created`, ties by STATUS_ORDER), and never out of a
 * terminal status; with `followArrivalOrder` (the `out-of-order` bug) whatever arrives last wins.
 */
export async function applySubscriptionEvent(
  client: pg.PoolClient,
  event: Stripe.Event,
  { followArrivalOrder, failWithoutOwner = false }: { followArrivalOrder: boolean; failWithoutOwner?: boolean },
): Promise<'applied' | 'ignored'> {
  const subscription = event.data.object as Stripe.Subscription;
  const status = event.type === 'customer.subscription.deleted' ? 'canceled' : subscription.status;
  // A signed but incomplete object cannot be stored; retrying it would not help either.
  if (typeof subscription.id !== 'string' || typeof status !== 'string') return 'ignored';
  const newerOnly = (status: string, created: string) => (followArrivalOrder ? 'true' : replacesStored(status, created));
  const upsert = async (owner: string | null) => {
    const { rows } = await client.query<{ user_id: string | null }>(
      `insert into demo.subscriptions as s (stripe_subscription_id, user_id, status, event_created)
       values ($1, $2, $3, $4)
       on conflict (stripe_subscription_id) do update
         set status = excluded.status, event_created = excluded.event_created, user_id = coalesce(excluded.user_id, s.user_id)
         where ${newerOnly('excluded.status', 'excluded.event_created')}
       returning user_id`,
      [subscription.id, owner, status, event.created],
    );
    return rows[0];
  };
  const updateOnly = async () => {
    const { rows } = await client.query<{ user_id: string | null }>(
      `update demo.subscriptions as s set status = $2, event_created = $3
       where s.stripe_subscription_id = $1 and ${newerOnly('$2::text', '$3::bigint')}
       returning user_id`,
      [subscription.id, status, event.created],
    );
    return rows[0];
  };
  const owner = await findSubscriptionOwner(client, subscription);
  // The `deleted-user-500` bug: the handler assumes the user still exists, as a foreign key would.
  if (failWithoutOwner && (owner === null || owner === 'deleted')) throw new Error(`no user owns subscription ${subscription.id}`);
  const row = await storeForOwner(client, owner, upsert, updateOnly);
  if (!row) return 'ignored'; // older than the state we hold, or of a deleted account
  if (row.user_id) await syncEntitlements(client, row.user_id);
  return 'applied';
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * A deleted account owns nothing, so its subscription events only update rows that still exist
 * (none, after the cascade) instead of inserting ownerless orphans. Deleting an account cancels
 * its subscription at Stripe, whose customer.subscription.deleted can arrive while the deletion
 * still holds the row: the owner found before the wait is gone after it, which the foreign key
 * tells us; that is the same deleted account, not an error for Stripe to retry.
 */
async function storeForOwner<T>(
  client: pg.PoolClient,
  owner: string | 'deleted' | null,
  upsert: (owner: string | null) => Promise<T>,
  updateOnly: () => Promise<T>,
): Promise<T> {
  if (owner === 'deleted') return updateOnly();
  if (owner === null) return upsert(null);
  await client.query('savepoint subscription_owner');
  try {
    const stored = await upsert(owner);
    await client.query('release savepoint subscription_owner');
    return stored;
  } catch (error) {
    if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
    await client.query('rollback to savepoint subscription_owner');
    return updateOnly();
  }
}
