import type Stripe from 'stripe';
import type { User } from './users.js';

/** Found again on every start, so restarts against real test mode do not pile up prices. */
const PRO_LOOKUP_KEY = 'vibes_demo_pro_monthly';
const PRO_PRICE = { currency: 'usd', unit_amount: 1500, recurring: { interval: 'month' } } as const;

/**
 * The Pro price, looked up or created once per app start. Lazily, on the first upgrade, so that an
 * app whose Stripe is not up yet still starts and serves everything else; a failure is retried
 * on the next upgrade instead of being remembered.
 */
export class ProPrice {
  private pending: Promise<string> | undefined;

  constructor(private readonly stripe: Stripe) {}

  id(): Promise<string> {
    this.pending ??= this.findOrCreate().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  private async findOrCreate(): Promise<string> {
    const existing = await this.find();
    if (existing) return existing;
    try {
      const product = await this.stripe.products.create({ name: 'Pro' });
      const price = await this.stripe.prices.create({ ...PRO_PRICE, product: product.id, lookup_key: PRO_LOOKUP_KEY, transfer_lookup_key: true });
      return price.id;
    } catch (error) {
      // Another app process sharing this Stripe account created it first: use theirs.
      const created = await this.find();
      if (created) return created;
      throw error;
    }
  }

  private async find(): Promise<string | undefined> {
    const { data } = await this.stripe.prices.list({ lookup_keys: [PRO_LOOKUP_KEY], active: true, limit: 10 });
    return data.find(
      (price) =>
        price.lookup_key === PRO_LOOKUP_KEY &&
        price.currency === PRO_PRICE.currency &&
        price.unit_amount === PRO_PRICE.unit_amount &&
        price.recurring?.interval === PRO_PRICE.recurring.interval,
    )?.id;
  }
}

/**
 * The user's Stripe customer, made before their first Checkout Session instead of by Checkout, so
 * that the account knows it from the start: deleting the account deletes it (and with it every
 * subscription) even when checkout.session.completed has not arrived, or never will (a declined
 * card). The idempotency key makes a double-clicked upgrade make one customer, not two.
 */
export async function createStripeCustomer(stripe: Stripe, user: User, runId?: string): Promise<string> {
  const customer = await stripe.customers.create(
    { email: user.email, metadata: ownMetadata(user, runId) },
    { idempotencyKey: `vibes-demo-customer-${user.id}` },
  );
  return customer.id;
}

/**
 * What the app stamps on each Stripe object it makes: its user, and under a test run the run's id,
 * which the replay server indexes (`metadata.vibes_run`) so a recording can be one run's events.
 */
function ownMetadata(user: User, runId: string | undefined): Record<string, string> {
  return runId ? { user_id: user.id, vibes_run: runId } : { user_id: user.id };
}

/** A hosted Checkout Session for the Pro subscription; resolves with the URL to send the user to. */
export async function createProCheckout(stripe: Stripe, priceId: string, user: User, customerId: string, publicUrl: string, runId?: string): Promise<string> {
  const session = await stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: priceId, quantity: 1 }],
    customer: customerId,
    client_reference_id: user.id,
    metadata: ownMetadata(user, runId),
    // Subscription events then name the user even before checkout.session.completed arrives.
    subscription_data: { metadata: ownMetadata(user, runId) },
    success_url: `${publicUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${publicUrl}/dashboard?checkout=cancelled`,
  });
  if (!session.url) throw new Error(`Stripe returned Checkout Session ${session.id} without a URL`);
  return session.url;
}

/** Stripe answers 404 for what is already gone: a deleted customer, a subscription canceled before. */
function isGone(error: unknown): boolean {
  const { code, statusCode } = error as { code?: string; statusCode?: number };
  return code === 'resource_missing' || statusCode === 404;
}

/** Deletes the customer; one that is already gone counts as deleted. */
export async function deleteStripeCustomer(stripe: Stripe, customerId: string): Promise<void> {
  try {
    await stripe.customers.del(customerId);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}

/** Cancels the subscription now; one that is already canceled (or gone) counts as canceled. */
export async function cancelStripeSubscription(stripe: Stripe, subscriptionId: string): Promise<void> {
  try {
    await stripe.subscriptions.cancel(subscriptionId);
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
