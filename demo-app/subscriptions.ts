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
  const owner = await findSubscriptionOwner(client, subscription);
  const newerOnly = followArrivalOrder ? '' : 'where s.event_created <= excluded.event_created';
  const { rows } = await client.query<{ user_id: string | null }>(
    `insert into demo.subscriptions as s (stripe_subscription_id, user_id, status, event_created)
     values ($1, $2, $3, $4)
     on conflict (stripe_subscription_id) do update
       set status = excluded.status, event_created = excluded.event_created, user_id = coalesce(excluded.user_id, s.user_id)
       ${newerOnly}
     returning user_id`,
    [subscription.id, owner, status, event.created],
  );
  const row = rows[0];
  if (!row) return 'ignored'; // older than the state we hold
  if (row.user_id) await syncEntitlements(client, row.user_id);
  return 'applied';
}
