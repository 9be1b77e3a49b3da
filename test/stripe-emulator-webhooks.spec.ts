import { test, expect } from '@playwright/test';
import type Stripe from 'stripe';
import type { DeliveryAttempt } from '../stripe-emulator/index.js';
import { monthlyPrice, oneTimePrice, startEmulatorHarness, submitCheckoutForm, type EmulatorHarness } from './support/emulator-harness.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/emulator-receiver.js';

const closers: (() => Promise<void>)[] = [];
test.afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function receiver(options: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(options);
  closers.push(() => r.close());
  return r;
}

async function harness(options: Parameters<typeof startEmulatorHarness>[0]): Promise<EmulatorHarness> {
  const h = await startEmulatorHarness(options);
  closers.push(() => h.close());
  return h;
}

async function deliveries(h: EmulatorHarness, query = ''): Promise<DeliveryAttempt[]> {
  const body = (await fetch(`${h.emulator.url}/_vibes/deliveries${query}`).then((r) => r.json())) as { data: DeliveryAttempt[] };
  return body.data;
}

test.describe('stripe-emulator webhook delivery', () => {
  test('a paid subscription checkout delivers Stripe\'s events, signed, carrying the session\'s metadata', async () => {
    const hook = await receiver();
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }] });
    const price = await monthlyPrice(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://app.example/ok',
      customer_email: 'paying@example.com',
      client_reference_id: 'user_7',
      metadata: { vibes_run: 'run-wh' },
      subscription_data: { metadata: { vibes_run: 'run-wh' } },
    });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const expected = [
      'product.created',
      'price.created',
      'customer.created',
      'payment_method.attached',
      'customer.subscription.created',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'customer.subscription.updated',
      'checkout.session.completed',
      'charge.updated',
    ];
    await hook.waitFor((d) => d.filter((x) => x.answeredWith === 200).length >= expected.length);
    expect(hook.deliveries.every((d) => d.verifyError === null)).toBe(true);
    expect(hook.events().map((e) => e.type).sort()).toEqual([...expected].sort());

    const first = hook.deliveries[0]!;
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['user-agent']).toBe('Stripe/1.0 (+https://stripe.com/docs/webhooks)');
    expect(first.headers['stripe-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const completed = hook.events('checkout.session.completed')[0]!.data.object as Stripe.Checkout.Session;
    expect(completed).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'paid',
      customer_email: 'paying@example.com',
      client_reference_id: 'user_7',
      metadata: { vibes_run: 'run-wh' },
      customer_details: { email: 'paying@example.com' },
    });
    const created = hook.events('customer.subscription.created')[0]!.data.object as Stripe.Subscription;
    expect(created).toMatchObject({ status: 'incomplete', metadata: { vibes_run: 'run-wh' }, customer: completed.customer });
    const updated = hook.events('customer.subscription.updated')[0]!;
    expect(updated.data.object).toMatchObject({ status: 'active', metadata: { vibes_run: 'run-wh' } });
    expect(updated.data.previous_attributes).toMatchObject({ status: 'incomplete' });
    expect(hook.events('invoice.paid')[0]!.data.object).toMatchObject({ status: 'paid', amount_paid: 2000, subscription: created.id, customer_email: 'paying@example.com' });
    expect(hook.events('customer.created')[0]!.data.object).toMatchObject({ email: 'paying@example.com', name: 'Vibes Tester' });

    // Captured asynchronously, as every intent is by default since 2024-04-10: no balance
    // transaction in charge.succeeded; charge.updated brings it after the session completed.
    const succeededCharge = hook.events('charge.succeeded')[0]!.data.object as Stripe.Charge;
    expect(succeededCharge.balance_transaction).toBeNull();
    const settled = hook.events('charge.updated')[0]!;
    expect(settled.data.object).toMatchObject({ id: succeededCharge.id, balance_transaction: expect.stringMatching(/^txn_/) });
    expect(settled.data.previous_attributes).toEqual({ balance_transaction: null });
    expect((await h.stripe.charges.retrieve(succeededCharge.id)).balance_transaction).toBe((settled.data.object as Stripe.Charge).balance_transaction);

    // Stripe's event envelope, and `created` never decreasing along the flow.
    const stored = (await h.stripe.events.list({ limit: 100 })).data.reverse();
    for (const e of stored) {
      expect(e).toMatchObject({ object: 'event', livemode: false, api_version: expect.any(String), request: expect.any(Object) });
    }
    expect(stored.map((e) => e.type).slice(-2)).toEqual(['checkout.session.completed', 'charge.updated']);
    const times = stored.map((e) => e.created);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Delivered events have no pending webhooks left.
    await expect.poll(async () => (await h.stripe.events.retrieve(hook.events('checkout.session.completed')[0]!.id)).pending_webhooks).toBe(0);
    expect((await deliveries(h)).every((d) => d.succeeded && d.attempt === 1)).toBe(true);
  });

  test('a declined payment emits payment_intent.payment_failed and no checkout.session.completed', async () => {
    const hook = await receiver();
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }] });
    const price = await oneTimePrice(h.stripe);
    const session = await h.stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://app.example/ok',
      payment_intent_data: { metadata: { vibes_run: 'run-decline' } },
    });
    const answer = await submitCheckoutForm(session.url!, { cardNumber: '4000000000000002', email: 'broke@example.com' });
    expect(answer).toEqual({ status: 303, location: `/c/pay/${session.id}` });
    await hook.waitFor((d) => d.some((x) => x.event?.type === 'payment_intent.payment_failed'));
    const failed = hook.events('payment_intent.payment_failed')[0]!.data.object as Stripe.PaymentIntent;
    expect(failed).toMatchObject({
      status: 'requires_payment_method',
      metadata: { vibes_run: 'run-decline' },
      last_payment_error: { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card has been declined.' },
    });
    expect(hook.events('charge.failed')[0]!.data.object).toMatchObject({ status: 'failed', failure_code: 'card_declined', paid: false });
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect((await h.stripe.events.list({ type: 'checkout.session.completed' })).data).toHaveLength(0);
    // The deliveries of one event by its id; a mistyped filter is refused, not read as "all of them".
    expect((await deliveries(h, `?event_id=${hook.events('charge.failed')[0]!.id}`)).map((d) => d.event_type)).toEqual(['charge.failed']);
    const typo = await fetch(`${h.emulator.url}/_vibes/deliveries?evnt_id=evt_1`);
    expect(typo.status).toBe(400);
    expect((await typo.json()).error.message).toContain('Unknown filter "evnt_id": /_vibes/deliveries takes event_id and type.');
  });

  test('a decline in subscription mode leaves an incomplete subscription with invoice.payment_failed; a retry in the same session activates it', async () => {
    const hook = await receiver();
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }] });
    const price = await monthlyPrice(h.stripe);
    const session = await h.stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'retry@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4000000000009995' });
    await hook.waitFor((d) => d.some((x) => x.event?.type === 'invoice.payment_failed'));
    const sub = hook.events('customer.subscription.created')[0]!.data.object as Stripe.Subscription;
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('incomplete');
    expect(hook.events('payment_intent.payment_failed')[0]!.data.object).toMatchObject({ last_payment_error: { decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } });

    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    await hook.waitFor((d) => d.some((x) => x.event?.type === 'checkout.session.completed'));
    expect((await h.stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect(hook.events('customer.created')).toHaveLength(1);
    expect(hook.events('customer.subscription.created')).toHaveLength(1);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).subscription).toBe(sub.id);
  });

  test('a non-2xx answer is retried on the schedule until the endpoint accepts', async () => {
    const hook = await receiver({ failFirst: 2 });
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }], retrySchedule: [50, 100, 200] });
    const customer = await h.stripe.customers.create({ email: 'retry-me@example.com' });
    await hook.waitFor((d) => d.some((x) => x.answeredWith === 200));
    const attempts = hook.deliveries.filter((d) => d.event?.data.object && (d.event.data.object as { id: string }).id === customer.id);
    expect(attempts.map((a) => a.answeredWith)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((a) => a.event!.id)).size).toBe(1);
    // Each attempt is signed afresh over the same bytes.
    expect(new Set(attempts.map((a) => a.rawBody)).size).toBe(1);

    await expect.poll(async () => (await deliveries(h)).length).toBe(3);
    const log = await deliveries(h);
    expect(log.map((d) => [d.attempt, d.status, d.succeeded])).toEqual([
      [1, 500, false],
      [2, 500, false],
      [3, 200, true],
    ]);
    expect(log[0]!.next_retry_at).toEqual(expect.any(Number));
    expect(log[0]!.next_retry_at! - log[0]!.finished_at!).toBeGreaterThanOrEqual(50);
    expect(log[2]!.next_retry_at).toBeNull();
    await expect.poll(async () => (await h.stripe.events.retrieve(attempts[0]!.event!.id)).pending_webhooks).toBe(0);
  });

  test('a timeout counts as a failure and is retried', async () => {
    const hook = await receiver({ hangFirstMs: 2_000 });
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }], retrySchedule: [50], deliveryTimeoutMs: 300 });
    await h.stripe.customers.create({ email: 'slow@example.com' });
    await expect.poll(async () => (await deliveries(h)).map((d) => d.succeeded), { timeout: 10_000 }).toEqual([false, true]);
    const [first] = await deliveries(h);
    expect(first!.status).toBeNull();
    expect(first!.error).toContain('no answer within 300 ms');
  });

  test('retries stop when the schedule is spent; the event stays pending', async () => {
    const hook = await receiver({ failFirst: 1_000 });
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }], retrySchedule: [20, 20] });
    const customer = await h.stripe.customers.create({ email: 'never@example.com' });
    await expect.poll(async () => (await deliveries(h)).filter((d) => d.finished_at !== null).length).toBe(3);
    const state = (await fetch(`${h.emulator.url}/_vibes/state`).then((r) => r.json())) as { deliveries: { failed: number; pending: number } };
    expect(state.deliveries).toMatchObject({ failed: 3, pending: 0 });
    const [event] = (await h.stripe.events.list({ type: 'customer.created' })).data;
    expect((event!.data.object as Stripe.Customer).id).toBe(customer.id);
    expect(event!.pending_webhooks).toBe(1);
  });

  test('retries stop once the endpoint is deleted or disabled', async () => {
    const deleted = await receiver({ failFirst: 1_000 });
    const disabled = await receiver({ failFirst: 1_000 });
    const h = await harness({ retrySchedule: [1_000] });
    const gone = await h.stripe.webhookEndpoints.create({ url: deleted.url, enabled_events: ['*'], secret: deleted.secret } as Stripe.WebhookEndpointCreateParams);
    const off = await h.stripe.webhookEndpoints.create({ url: disabled.url, enabled_events: ['*'], secret: disabled.secret } as Stripe.WebhookEndpointCreateParams);
    await h.stripe.customers.create({ email: 'unheard@example.com' });
    await deleted.waitFor((d) => d.length === 1);
    await disabled.waitFor((d) => d.length === 1);
    await h.stripe.webhookEndpoints.del(gone.id);
    await h.stripe.webhookEndpoints.update(off.id, { disabled: true });
    // Nothing pending means each scheduled retry has come due and been dropped (or sent).
    await expect.poll(async () => ((await fetch(`${h.emulator.url}/_vibes/state`).then((r) => r.json())) as { deliveries: { pending: number } }).deliveries.pending).toBe(0);
    expect(deleted.deliveries).toHaveLength(1);
    expect(disabled.deliveries).toHaveLength(1);
    expect((await deliveries(h)).map((d) => d.attempt)).toEqual([1, 1]);
  });

  test('endpoints created through the API get their enabled events, each signed with its own secret', async () => {
    const all = await receiver();
    const some = await receiver();
    const h = await harness({ webhooks: [{ url: all.url, secret: all.secret }] });
    await h.stripe.webhookEndpoints.create({ url: some.url, enabled_events: ['customer.deleted'], secret: some.secret } as Stripe.WebhookEndpointCreateParams);
    const customer = await h.stripe.customers.create({ email: 'two@example.com' });
    await h.stripe.customers.del(customer.id);
    await all.waitFor((d) => d.filter((x) => x.answeredWith === 200).length === 2);
    await some.waitFor((d) => d.length === 1);
    expect(all.events().map((e) => e.type)).toEqual(expect.arrayContaining(['customer.created', 'customer.deleted']));
    expect(some.events().map((e) => e.type)).toEqual(['customer.deleted']);
    expect(some.deliveries[0]!.verifyError).toBeNull();
    expect((await h.stripe.events.list({ type: 'customer.deleted' })).data[0]!.pending_webhooks).toBeLessThanOrEqual(2);
  });

  test('a reset keeps the configured endpoints and cancels retries in flight', async () => {
    const hook = await receiver({ failFirst: 1_000 });
    const h = await harness({ webhooks: [{ url: hook.url, secret: hook.secret }], retrySchedule: [200, 200, 200] });
    await h.stripe.customers.create({ email: 'before@example.com' });
    await hook.waitFor((d) => d.length >= 1);
    const before = hook.deliveries[0]!.event!.id;
    h.emulator.reset();
    expect((await h.stripe.webhookEndpoints.list()).data.map((e) => e.url)).toEqual([hook.url]);
    expect(await deliveries(h)).toEqual([]);
    await h.stripe.customers.create({ email: 'after@example.com' });
    // The new event's first retry is due after the old event's would have been: once it has
    // arrived, a retry of the old event that survived the reset would have arrived too.
    await hook.waitFor((d) => d.filter((x) => x.event && x.event.id !== before).length >= 2);
    expect(hook.deliveries.filter((d) => d.event?.id === before)).toHaveLength(1);
  });
});
