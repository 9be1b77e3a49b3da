import type Stripe from 'stripe';
import type pg from 'pg';
import { idOf, syncEntitlements } from './grants.js';
import { findUserById } from './users.js';

async function findSubscriptionOwner(client: pg.PoolClient, subscription: Stripe.Subscription): Promise<string | null> {
  const byMetadata = subscription.metadata?.user_id ? await findUserById(client, subscription.metadata.user_id) : undefined;
  if (byMetadata) return byMetadata.id;
  const customerId = idOf(subscription.customer);
  if (!customerId) return null;
  const { rows } = await client.query<{ id: string }>('select id from demo.users where stripe_customer_id = $1', [customerId]);
  return rows[0]?.id ?? null;
}

/**
 * Applies a `customer.subscription.*` event. Stripe does not deliver in order, so the stored state
 * only moves to an event at least as new (by `created`) as the one it came from; with
 * `followArrivalOrder` (the `out-of-order` bug) whatever arrives last wins.
 */
export async function applySubscriptionEvent(client: pg.PoolClient, event: Stripe.Event, { followArrivalOrder }: { followArrivalOrder: boolean }): Promise<'applied' | 'ignored'> {
  const subscription = event.data.object as Stripe.Subscription;
  const status = event.type === 'customer.subscription.deleted' ? 'canceled' : subscription.status;
  // A signed but incomplete object cannot be stored; retrying it would not help either.
  if (typeof subscription.id !== 'string' || typeof status !== 'string') return 'ignored';
  const newerOnly = followArrivalOrder ? '' : 'where s.event_created <= excluded.event_created';
  const store = async (owner: string | null) => {
    const { rows } = await client.query<{ user_id: string | null }>(
      `insert into demo.subscriptions as s (stripe_subscription_id, user_id, status, event_created)
       values ($1, $2, $3, $4)
       on conflict (stripe_subscription_id) do update
         set status = excluded.status, event_created = excluded.event_created, user_id = coalesce(excluded.user_id, s.user_id)
         ${newerOnly}
       returning user_id`,
      [subscription.id, owner, status, event.created],
    );
    return rows[0];
  };
  const row = await storeForOwner(client, await findSubscriptionOwner(client, subscription), store);
  if (!row) return 'ignored'; // older than the state we hold
  if (row.user_id) await syncEntitlements(client, row.user_id);
  return 'applied';
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Deleting an account cancels its subscription at Stripe, whose customer.subscription.deleted
 * can arrive while the deletion still holds the subscription row: the owner found before the
 * wait is gone after it. A deleted account owns nothing, so the event is stored without one
 * (as a retry would be) instead of failing on the foreign key and waiting for Stripe to retry.
 */
async function storeForOwner<T>(client: pg.PoolClient, owner: string | null, store: (owner: string | null) => Promise<T>): Promise<T> {
  if (owner === null) return store(null);
  await client.query('savepoint subscription_owner');
  try {
    const stored = await store(owner);
    await client.query('release savepoint subscription_owner');
    return stored;
  } catch (error) {
    if ((error as { code?: string }).code !== FOREIGN_KEY_VIOLATION) throw error;
    await client.query('rollback to savepoint subscription_owner');
    return store(null);
  }
}
