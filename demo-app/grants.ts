import type Stripe from 'stripe';
import type pg from 'pg';
import { findUserByEmail, findUserById, isUserId, type User } from './users.js';

/** Subscription statuses in which the customer keeps Pro, and those in which Pro ends. */
export const LIVE_STATUSES = ['active', 'trialing', 'past_due'];
export const ENDED_STATUSES = ['canceled', 'incomplete_expired', 'unpaid', 'paused'];

export function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (!ref) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}

/**
 * The user a Checkout Session was for, or `deleted`. Our sessions name the user (client_reference_id,
 * metadata.user_id); when they do, only that user can get the grant: a retried event for a deleted
 * account must not go to whoever signed up later with the same email. The email is the last resort
 * for sessions that name nobody.
 */
async function findCheckoutUser(client: pg.PoolClient, session: Stripe.Checkout.Session): Promise<User | 'deleted' | undefined> {
  const named = [session.client_reference_id, session.metadata?.user_id].filter((id): id is string => Boolean(id));
  for (const id of named) {
    const user = await findUserById(client, id);
    if (user) return user;
  }
  // Only a uuid can have been one of our accounts; a session naming something else is not ours.
  if (named.some(isUserId)) return 'deleted';
  if (named.length > 0) return undefined;
  const email = session.customer_details?.email ?? session.customer_email;
  return email ? findUserByEmail(client, email) : undefined;
}

export type GrantOutcome = 'granted' | 'ignored' | { cancelSubscription: string };

/**
 * Grants Pro for a paid Checkout Session: one entitlement row, citing the event. The caller has
 * already recorded the event id in the same transaction; that is what makes it exactly once.
 * Locks: the subscription row before the user row, the same order as subscription events take,
 * so the two never deadlock. A paid subscription of a deleted account is for the caller to cancel:
 * nobody would get Pro for it, yet Stripe would keep charging.
 */
export async function grantForCheckout(client: pg.PoolClient, event: Stripe.Event, session: Stripe.Checkout.Session): Promise<GrantOutcome> {
  // An async payment method is not paid yet; checkout.session.async_payment_succeeded grants then.
  if (session.payment_status === 'unpaid') return 'ignored';
  const user = await findCheckoutUser(client, session);
  if (user === 'deleted') {
    const subscriptionId = idOf(session.subscription);
    return subscriptionId ? { cancelSubscription: subscriptionId } : 'ignored';
  }
  if (!user) return 'ignored';

  const subscriptionId = idOf(session.subscription);
  let endedAlready = false;
  if (subscriptionId) {
    const { rows } = await client.query<{ status: string }>(
      'update demo.subscriptions set user_id = coalesce(user_id, $1) where stripe_subscription_id = $2 returning status',
      [user.id, subscriptionId],
    );
    // The subscription's end overtook the checkout: the grant is recorded, but already revoked.
    endedAlready = rows[0] !== undefined && ENDED_STATUSES.includes(rows[0].status);
  }

  const customerId = idOf(session.customer);
  await client.query('update demo.users set stripe_customer_id = coalesce($2, stripe_customer_id) where id = $1', [user.id, customerId ?? null]);
  await client.query(
    `insert into demo.entitlements (user_id, plan, source_event_id, revoked_at)
     values ($1, 'pro', $2, case when $3::boolean then now() end)`,
    [user.id, event.id, endedAlready],
  );
  return 'granted';
}

/** The `renewal-grant` bug: a paid invoice grants Pro to its customer's user, whatever invoice it is. */
export async function grantForInvoice(client: pg.PoolClient, event: Stripe.Event, invoice: Stripe.Invoice): Promise<GrantOutcome> {
  const email = invoice.customer_email;
  const user = email ? await findUserByEmail(client, email) : undefined;
  if (!user) return 'ignored';
  await client.query(`insert into demo.entitlements (user_id, plan, source_event_id) values ($1, 'pro', $2)`, [user.id, event.id]);
  return 'granted';
}

/**
 * Makes the user's entitlements follow their subscriptions: revoked when none is live and one has
 * ended, reinstated when one is live again. Reinstating un-revokes rows; it never adds a grant.
 */
export async function syncEntitlements(client: pg.PoolClient, userId: string): Promise<void> {
  await client.query('select 1 from demo.users where id = $1 for update', [userId]);
  const { rows } = await client.query<{ status: string }>('select status from demo.subscriptions where user_id = $1', [userId]);
  const statuses = rows.map((row) => row.status);
  if (statuses.some((status) => LIVE_STATUSES.includes(status))) {
    await client.query('update demo.entitlements set revoked_at = null where user_id = $1 and revoked_at is not null', [userId]);
  } else if (statuses.some((status) => ENDED_STATUSES.includes(status))) {
    await client.query('update demo.entitlements set revoked_at = now() where user_id = $1 and revoked_at is null', [userId]);
  }
}
