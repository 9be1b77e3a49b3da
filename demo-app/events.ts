import { setTimeout as sleep } from 'node:timers/promises';
import type Stripe from 'stripe';
import type pg from 'pg';
import type { BugSwitches } from './bugs.js';
import { cancelStripeSubscription } from './billing.js';
import { grantForCheckout, grantForInvoice } from './grants.js';
import { applySubscriptionEvent } from './subscriptions.js';
import { inTransaction } from '../postgres/index.js';

export type EventOutcome = 'processed' | 'duplicate' | 'ignored';

const GRANTING_EVENTS = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);
const SUBSCRIPTION_EVENTS = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
]);

/**
 * The `race` bug's gap between "have we seen this event?" and "remember it". Real handlers have one
 * too (a call to Stripe, an email); here it is a fixed wait, long enough that every request of a
 * concurrent burst passes the check before the first one writes.
 */
export const RACE_WINDOW_MS = 150;

/**
 * Handles one verified event exactly once. The correct app inserts the event id (primary key) and
 * applies the event in one transaction: a duplicate, sequential or concurrent, waits on the key,
 * finds it taken and changes nothing. The planted bugs replace that with what real apps get wrong.
 */
export async function processEvent(pool: pg.Pool, stripe: Stripe, event: Stripe.Event, bugs: BugSwitches): Promise<EventOutcome> {
  // The correct app grants on checkout alone; a renewal's invoice.paid keeps what it granted.
  const grantsOnInvoice = bugs.has('renewal-grant') && event.type === 'invoice.paid';
  if (!GRANTING_EVENTS.has(event.type) && !SUBSCRIPTION_EVENTS.has(event.type) && !grantsOnInvoice) return 'ignored';

  const checkThenInsert = bugs.has('race');
  const ignoreDuplicates = bugs.has('double-grant');
  if (checkThenInsert) {
    const { rows } = await pool.query('select 1 from demo.processed_events where event_id = $1', [event.id]);
    if (rows.length > 0) return 'duplicate';
    await sleep(RACE_WINDOW_MS);
  }

  return inTransaction(pool, async (client) => {
    const fresh = await recordEvent(client, event);
    if (!fresh && !checkThenInsert && !ignoreDuplicates) return 'duplicate';
    if (grantsOnInvoice) return (await grantForInvoice(client, event, event.data.object as Stripe.Invoice)) === 'granted' ? 'processed' : 'ignored';
    if (GRANTING_EVENTS.has(event.type)) {
      const result = await grantForCheckout(client, event, event.data.object as Stripe.Checkout.Session);
      if (typeof result === 'object') {
        // Paid for by an account deleted since. Inside the transaction: if Stripe fails, the event
        // is not recorded, the webhook answers 500 and Stripe's retry cancels again.
        await cancelStripeSubscription(stripe, result.cancelSubscription);
        return 'processed';
      }
      return result === 'granted' ? 'processed' : 'ignored';
    }
    const result = await applySubscriptionEvent(client, event, {
      followArrivalOrder: bugs.has('out-of-order'),
      failWithoutOwner: bugs.has('deleted-user-500') && event.type === 'customer.subscription.deleted',
    });
    return result === 'applied' ? 'processed' : 'ignored';
  });
}

/** True when this is the first time the event id is seen (committed or in flight). */
async function recordEvent(client: pg.PoolClient, event: Stripe.Event): Promise<boolean> {
  const { rowCount } = await client.query(
    'insert into demo.processed_events (event_id, type, created) values ($1, $2, $3) on conflict (event_id) do nothing',
    [event.id, event.type, event.created],
  );
  return rowCount === 1;
}
