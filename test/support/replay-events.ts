import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { stripeExample } from './stripe-fixtures.js';

export const uniqueId = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;
export const randomSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

/**
 * A Stripe event around Stripe's example object, with a unique id, serialised the way Stripe
 * sends it (pretty-printed): the exact bytes a webhook carries.
 */
export function stripeEvent(type: string, resource: string, object: Record<string, unknown> = {}): { id: string; raw: string } {
  const id = uniqueId('evt');
  const event = {
    id,
    object: 'event',
    api_version: '2025-03-31.basil',
    created: Math.floor(Date.now() / 1000),
    data: { object: { ...stripeExample(resource), ...object } },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  return { id, raw: JSON.stringify(event, null, 2) };
}

/** A completed Checkout Session for this email and run. */
export function checkoutCompleted(email: string, run = uniqueId('run')) {
  return stripeEvent('checkout.session.completed', 'checkout.session', {
    id: uniqueId('cs_test'),
    customer: uniqueId('cus'),
    customer_details: { ...(stripeExample('checkout.session').customer_details as object), email },
    metadata: { vibes_run: run },
  });
}

/** POSTs a webhook as Stripe (or `stripe listen`) does, signed now with `secret` unless told otherwise. */
export async function postWebhook(
  url: string,
  raw: string | Buffer,
  { secret, signature, headers = {} }: { secret?: string; signature?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const header = signature ?? (secret ? Stripe.webhooks.generateTestHeaderString({ payload: raw.toString(), secret }) : undefined);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      ...(header ? { 'stripe-signature': header } : {}),
      ...headers,
    },
    body: typeof raw === 'string' ? raw : new Uint8Array(raw),
  });
  return { status: response.status, text: await response.text() };
}
