import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { stripeExample } from './stripe-fixtures.js';

/**
 * Stripe events for the demo app's webhook, built on Stripe's own published example objects
 * (read at run time, never copied) and signed with the real stripe library.
 */
export function stripeId(prefix: string): string {
  return `${prefix}_test${randomBytes(10).toString('hex')}`;
}

export interface StripeEventJson {
  id: string;
  object: 'event';
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
  [key: string]: unknown;
}

function event(type: string, object: Record<string, unknown>, { id = stripeId('evt'), created = nowSeconds() }: { id?: string; created?: number }): StripeEventJson {
  return { ...stripeExample('event'), id, object: 'event', type, created, livemode: false, data: { object } } as StripeEventJson;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export interface CheckoutEventOptions {
  userId?: string | null;
  email: string;
  customer?: string;
  subscription?: string;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  id?: string;
  created?: number;
}

/** `checkout.session.completed` for a paid subscription checkout, as the app's Checkout would produce. */
export function checkoutCompleted(options: CheckoutEventOptions): StripeEventJson {
  const session = stripeExample('checkout.session');
  const details = (session.customer_details ?? {}) as Record<string, unknown>;
  Object.assign(session, {
    id: stripeId('cs'),
    mode: 'subscription',
    status: 'complete',
    payment_status: options.paymentStatus ?? 'paid',
    client_reference_id: options.userId ?? null,
    metadata: options.userId ? { user_id: options.userId } : {},
    customer: options.customer ?? stripeId('cus'),
    customer_email: options.email,
    customer_details: { ...details, email: options.email },
    subscription: options.subscription ?? stripeId('sub'),
    payment_intent: null,
  });
  return event('checkout.session.completed', session, options);
}

export interface SubscriptionEventOptions {
  subscription: string;
  customer: string;
  userId?: string;
  status: string;
  id?: string;
  created: number;
}

export function subscriptionEvent(type: 'created' | 'updated' | 'deleted', options: SubscriptionEventOptions): StripeEventJson {
  const subscription = stripeExample('subscription');
  Object.assign(subscription, {
    id: options.subscription,
    customer: options.customer,
    status: options.status,
    metadata: options.userId ? { user_id: options.userId } : {},
  });
  return event(`customer.subscription.${type}`, subscription, options);
}

const signer = new Stripe('sk_test_signing_only');

export function randomWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export interface DeliveryOptions {
  /** Signs with this secret; `null` sends no Stripe-Signature header at all. */
  secret: string | null;
  /** Unix seconds of the signature (default now); an old one is stale. */
  timestamp?: number;
}

export interface Delivery {
  status: number;
  body: string;
}

/** POSTs the event's exact bytes to the webhook endpoint, signed as Stripe signs. */
export async function deliver(appUrl: string, stripeEvent: StripeEventJson, { secret, timestamp }: DeliveryOptions): Promise<Delivery> {
  const payload = JSON.stringify(stripeEvent);
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (secret !== null) headers['stripe-signature'] = signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  const res = await fetch(new URL('/api/stripe/webhook', appUrl), { method: 'POST', headers, body: payload });
  return { status: res.status, body: await res.text() };
}

/** The same event delivered `times` times at once, the way Stripe's retries can overlap. */
export async function deliverBurst(appUrl: string, stripeEvent: StripeEventJson, times: number, options: DeliveryOptions): Promise<Delivery[]> {
  return Promise.all(Array.from({ length: times }, () => deliver(appUrl, stripeEvent, options)));
}
