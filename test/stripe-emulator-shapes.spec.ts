import { test, expect } from '@playwright/test';
import type Stripe from 'stripe';
import { monthlyPrice, oneTimePrice, startEmulatorHarness, submitCheckoutForm } from './support/emulator-harness.js';
import { stripeFixtures } from './support/stripe-fixtures.js';

type Json = Record<string, unknown>;

const isPlain = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Top level: exactly Stripe's keys. Nested objects present on both sides: at least Stripe's keys
 * (Stripe's examples show one variant of polymorphic hashes such as `last_payment_error`).
 */
function keyProblems(actual: Json, fixture: Json, path: string, exact: boolean, allowedExtra: string[] = []): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(fixture)) {
    if (!(key in actual)) problems.push(`${path}.${key} is missing`);
  }
  if (exact) {
    for (const key of Object.keys(actual)) {
      if (!(key in fixture) && !allowedExtra.includes(key)) problems.push(`${path}.${key} is not in Stripe's ${path}`);
    }
  }
  for (const [key, expected] of Object.entries(fixture)) {
    const value = actual[key];
    // An event's data.object is checked against its own resource's fixture.
    if (path.endsWith('event') && key === 'data') continue;
    // Metadata is the integration's own data: its keys are whatever the example happened to hold.
    if (key === 'metadata') continue;
    if (isPlain(expected) && isPlain(value)) problems.push(...keyProblems(value, expected, `${path}.${key}`, false));
    else if (Array.isArray(expected) && Array.isArray(value) && isPlain(expected[0]) && isPlain(value[0])) {
      problems.push(...keyProblems(value[0], expected[0], `${path}.${key}[0]`, false));
    }
  }
  return problems;
}

function fixtureName(object: Json): string {
  return object.deleted === true ? `deleted_${String(object.object)}` : String(object.object);
}

test('every object the emulator serves has the keys of Stripe\'s fixture for its resource', async () => {
  const fixtures = stripeFixtures();
  const h = await startEmulatorHarness();
  const { stripe } = h;
  try {
    const served: { label: string; object: Json; allowedExtra?: string[] }[] = [];
    const keep = (label: string, object: unknown, allowedExtra?: string[]) => served.push({ label, object: object as Json, ...(allowedExtra ? { allowedExtra } : {}) });

    const customer = await stripe.customers.create({ email: 'shape@example.com', address: { country: 'US', postal_code: '10001' } });
    keep('customers.create', customer);
    keep('customers.retrieve', await stripe.customers.retrieve(customer.id));
    const monthly = await monthlyPrice(stripe);
    const once = await oneTimePrice(stripe);
    keep('products.retrieve', await stripe.products.retrieve(monthly.product as string));
    keep('prices.retrieve (recurring)', await stripe.prices.retrieve(monthly.id));
    keep('prices.retrieve (one-time)', await stripe.prices.retrieve(once.id));

    const subscription = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer: customer.id });
    keep('checkout.sessions.create (subscription)', subscription);
    keep('checkout.sessions.listLineItems', (await stripe.checkout.sessions.listLineItems(subscription.id)).data[0]);
    // A decline first, then success: failed charge, failed invoice attempt, then the paid objects.
    await submitCheckoutForm(subscription.url!, { cardNumber: '4000000000000002' });
    await submitCheckoutForm(subscription.url!, { cardNumber: '4242424242424242' });
    const paidSub = await stripe.checkout.sessions.retrieve(subscription.id);
    keep('checkout.sessions.retrieve (complete)', paidSub);
    const sub = await stripe.subscriptions.retrieve(paidSub.subscription as string);
    keep('subscriptions.retrieve', sub);
    keep('invoices.retrieve', await stripe.invoices.retrieve(paidSub.invoice as string));
    keep('invoicePayments.list', (await stripe.invoicePayments.list({ invoice: paidSub.invoice as string })).data[0]);
    keep('paymentMethods.retrieve', await stripe.paymentMethods.retrieve(sub.default_payment_method as string));
    keep('billingPortal.sessions.create', await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://app.example/account' }));

    const payment = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: once.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_creation: 'always', customer_email: 'buyer@example.com' });
    await submitCheckoutForm(payment.url!, { cardNumber: '4000002500003155' });
    const pending = await stripe.checkout.sessions.retrieve(payment.id);
    keep('paymentIntents.retrieve (requires_action)', await stripe.paymentIntents.retrieve(pending.payment_intent as string));
    await submitCheckoutForm(payment.url!, { cardNumber: '4000000000009995' });
    const failed = await stripe.paymentIntents.retrieve(pending.payment_intent as string);
    keep('paymentIntents.retrieve (payment failed)', failed);
    keep('charges.retrieve (failed)', await stripe.charges.retrieve(failed.latest_charge as string));
    await submitCheckoutForm(payment.url!, { cardNumber: '4242424242424242' });
    const paid = await stripe.paymentIntents.retrieve(pending.payment_intent as string);
    keep('paymentIntents.retrieve (succeeded)', paid);
    keep('charges.retrieve (succeeded)', await stripe.charges.retrieve(paid.latest_charge as string));

    const expiring = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: once.id, quantity: 1 }], success_url: 'https://app.example/ok' });
    keep('checkout.sessions.expire', await stripe.checkout.sessions.expire(expiring.id));

    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Math.floor(Date.now() / 1000) });
    keep('testHelpers.testClocks.create', clock);
    keep('testHelpers.testClocks.del', await stripe.testHelpers.testClocks.del(clock.id));

    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['*'] });
    // Stripe shows the signing secret once, in the create response.
    keep('webhookEndpoints.create', endpoint, ['secret']);
    keep('webhookEndpoints.retrieve', await stripe.webhookEndpoints.retrieve(endpoint.id));
    keep('webhookEndpoints.del', await stripe.webhookEndpoints.del(endpoint.id));
    await stripe.subscriptions.cancel(sub.id);
    keep('customers.del', await stripe.customers.del(customer.id));
    keep('customers.retrieve (deleted)', await stripe.customers.retrieve(customer.id));

    const events = await stripe.events.list({ limit: 100 }).autoPagingToArray({ limit: 1000 });
    for (const event of events) {
      keep(`event ${event.type}`, event);
      keep(`event ${event.type} data.object`, event.data.object);
    }

    const problems: string[] = [];
    const kinds = new Set<string>();
    for (const { label, object, allowedExtra } of served) {
      const name = fixtureName(object);
      kinds.add(name);
      const fixture = fixtures[name];
      if (!fixture) {
        problems.push(`${label}: Stripe has no fixture named "${name}"`);
        continue;
      }
      problems.push(...keyProblems(object, fixture, name, true, allowedExtra).map((p) => `${label}: ${p}`));
    }
    expect(problems).toEqual([]);
    // The resources this covers: every kind of object the emulator answers with.
    expect([...kinds].sort()).toEqual(
      ['billing_portal.session', 'charge', 'checkout.session', 'customer', 'deleted_customer', 'deleted_test_helpers.test_clock', 'deleted_webhook_endpoint', 'event', 'invoice', 'invoice_payment', 'item', 'payment_intent', 'payment_method', 'price', 'product', 'subscription', 'test_helpers.test_clock', 'webhook_endpoint'].sort(),
    );
    const types = new Set(events.map((e: Stripe.Event) => e.type));
    for (const type of ['customer.created', 'customer.deleted', 'checkout.session.completed', 'checkout.session.expired', 'customer.subscription.created', 'customer.subscription.updated', 'customer.subscription.deleted', 'invoice.paid', 'invoice.payment_failed', 'payment_intent.succeeded', 'payment_intent.payment_failed', 'payment_intent.requires_action', 'charge.failed', 'charge.succeeded', 'charge.updated']) {
      expect(types, type).toContain(type);
    }
  } finally {
    await h.close();
  }
});
