import Stripe from 'stripe';
import { test, expect } from './support/replay-fixtures.js';
import { checkoutCompleted, postWebhook, stripeEvent, uniqueId } from './support/replay-events.js';

const timestampOf = (header: string | string[] | undefined) => Number(/t=(\d+)/.exec(String(header))?.[1]);

test.describe('replay server: capture and forward @db', () => {
  test('stores the exact bytes, verifies the signature, forwards them re-signed and answers with the app\'s status', async ({ startHarness }) => {
    const { url, client, secret, receiver } = await startHarness();
    const email = `${uniqueId('buyer')}@example.com`;
    const event = checkoutCompleted(email);
    // Odd spacing and key order: any re-serialisation would break Stripe's signature.
    const raw = `${event.raw}\n  `;

    const answer = await postWebhook(`${url}/webhooks/stripe`, raw, { secret });
    expect(answer).toEqual({ status: 200, text: JSON.stringify({ received: true }) });

    expect(receiver.received).toHaveLength(1);
    const forwarded = receiver.received[0]!;
    expect(forwarded.refusal).toBeNull();
    expect(forwarded.body.equals(Buffer.from(raw))).toBe(true);

    const stored = await client.getEvent(event.id);
    expect(stored.raw).toBe(raw);
    expect(stored).toMatchObject({
      id: event.id,
      type: 'checkout.session.completed',
      source: 'captured',
      signature: 'valid',
      email,
      delivery_count: 1,
      last_status: 200,
    });
    expect(stored.headers['stripe-signature']).toMatch(/^t=\d+,v1=/);
    expect(stored.deliveries).toEqual([
      expect.objectContaining({ kind: 'forward', signature: 'fresh', status: 200, target: receiver.url, error: null, batch: null, event_id: event.id }),
    ]);
    expect(stored.deliveries[0]!.response_excerpt).toBe(JSON.stringify({ received: true }));
    expect(new Date(stored.deliveries[0]!.started_at).toISOString()).toBe(stored.deliveries[0]!.started_at);
  });

  test('a bad or missing signature is stored and flagged, and passed on as received so the app refuses it', async ({ startHarness }) => {
    const { url, client, receiver } = await startHarness();
    const forged = stripeEvent('invoice.paid', 'invoice');
    const unsigned = stripeEvent('invoice.paid', 'invoice');

    const wrong = await postWebhook(`${url}/webhooks/stripe`, forged.raw, { secret: 'whsec_not_the_real_one' });
    const none = await postWebhook(`${url}/webhooks/stripe`, unsigned.raw);

    expect(wrong.status).toBe(400);
    expect(none.status).toBe(400);
    expect(receiver.accepted()).toHaveLength(0);
    expect(receiver.refused()).toHaveLength(2);
    expect(await client.getEvent(forged.id)).toMatchObject({ signature: 'invalid', last_status: 400, deliveries: [expect.objectContaining({ signature: 'original' })] });
    expect(await client.getEvent(unsigned.id)).toMatchObject({ signature: 'missing', last_status: 400, deliveries: [expect.objectContaining({ signature: 'missing' })] });
  });

  test('without a secret, the original signature is forwarded unchanged and the verdict is unchecked', async ({ startHarness }) => {
    const { url, client, receiver, secret } = await startHarness({ secret: '' });
    const event = stripeEvent('customer.created', 'customer', { id: uniqueId('cus') });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: event.raw, secret });

    const answer = await postWebhook(`${url}/webhooks/stripe`, event.raw, { signature });

    expect(answer.status).toBe(200);
    expect(receiver.received[0]!.headers['stripe-signature']).toBe(signature);
    expect((await client.getEvent(event.id)).signature).toBe('unchecked');
  });

  test('with no forward target, capture stores the event and answers 200 without delivering', async ({ startHarness }) => {
    const { url, client, secret } = await startHarness({ receiver: false });
    const event = stripeEvent('customer.created', 'customer');

    const answer = await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });

    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ received: true, id: event.id, signature: 'valid' });
    expect(await client.getEvent(event.id)).toMatchObject({ delivery_count: 0, last_status: null, deliveries: [] });
    await expect(client.replay(event.id)).rejects.toThrow(/no target to replay to/);
  });

  test('Stripe retrying an event id stores it once and forwards every attempt', async ({ startHarness }) => {
    const { url, client, secret, receiver } = await startHarness();
    const event = stripeEvent('invoice.paid', 'invoice');

    await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });
    await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });

    expect(receiver.accepted()).toHaveLength(2);
    expect((await client.listEvents({ type: 'invoice.paid' })).data).toHaveLength(1);
    expect((await client.getEvent(event.id)).delivery_count).toBe(2);
  });
});

test.describe('replay server: replays @db', () => {
  test('fresh replays are accepted by constructEvent; stale, wrong-secret and missing ones are refused', async ({ startHarness }) => {
    const { url, client, secret, receiver } = await startHarness();
    const event = checkoutCompleted(`${uniqueId('r')}@example.com`);
    await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });

    const fresh = await client.replay(event.id, { times: 3 });
    expect(fresh.deliveries.map((d) => [d.kind, d.signature, d.status])).toEqual(Array(3).fill(['replay', 'fresh', 200]));
    expect(new Set(fresh.deliveries.map((d) => d.batch)).size).toBe(1);
    expect(fresh.deliveries[0]!.batch).toMatch(/^rpl_/);

    for (const signature of ['stale', 'wrong-secret', 'missing'] as const) {
      const { deliveries } = await client.replay(event.id, { signature });
      expect(deliveries).toEqual([expect.objectContaining({ signature, status: 400, error: null })]);
    }

    const refusals = receiver.refused().map((r) => r.refusal);
    expect(refusals).toEqual([
      expect.stringMatching(/Timestamp outside the tolerance zone/),
      expect.stringMatching(/No signatures found matching the expected signature/),
      expect.stringMatching(/No stripe-signature header value was provided/),
    ]);
    // The forward and the three fresh copies.
    expect(receiver.accepted()).toHaveLength(4);
    for (const copy of receiver.received) expect(copy.body.equals(Buffer.from(event.raw))).toBe(true);
    expect((await client.getEvent(event.id)).delivery_count).toBe(7);
  });

  test('original resends the captured header; future signs ahead of the clock', async ({ startHarness }) => {
    const { url, client, secret, receiver } = await startHarness();
    const event = stripeEvent('invoice.paid', 'invoice');
    const captured = Stripe.webhooks.generateTestHeaderString({ payload: event.raw, secret, timestamp: Math.floor(Date.now() / 1000) - 30 });
    await postWebhook(`${url}/webhooks/stripe`, event.raw, { signature: captured });

    await client.replay(event.id, { signature: 'original' });
    await client.replay(event.id, { signature: 'future' });

    const [, original, future] = receiver.received;
    expect(original!.headers['stripe-signature']).toBe(captured);
    expect(timestampOf(future!.headers['stripe-signature'])).toBeGreaterThan(Date.now() / 1000 + Stripe.webhooks.DEFAULT_TOLERANCE);
  });

  test('a concurrent burst is in flight at the app all at once', async ({ startHarness }) => {
    const burst = 8;
    const { client, receiver } = await startHarness();
    const injected = await client.inject({ type: 'checkout.session.completed', data: { object: { object: 'checkout.session', customer: uniqueId('cus') } } });
    receiver.received.length = 0;
    receiver.hold(burst);

    const result = await client.replay(injected.id, { times: burst, concurrency: burst });

    // The receiver held every copy until `burst` were in flight together (or gave up waiting).
    expect(receiver.maxInFlight()).toBe(burst);
    expect(receiver.received.map((r) => r.refusal)).toEqual(Array(burst).fill(null));
    expect(result.deliveries.map((d) => d.status)).toEqual(Array(burst).fill(200));
  });

  test('waves of `concurrency` copies: at most that many in flight', async ({ startHarness }) => {
    const { client, receiver } = await startHarness();
    const injected = await client.inject({ type: 'invoice.paid', data: { object: { object: 'invoice' } } });
    receiver.received.length = 0;
    receiver.hold(3, 2_000);

    const result = await client.replay(injected.id, { times: 6, concurrency: 3, spacingMs: 10 });

    expect(result.deliveries).toHaveLength(6);
    expect(receiver.maxInFlight()).toBe(3);
    expect(receiver.received.map((r) => r.inFlightOnArrival).sort()).toEqual([1, 1, 2, 2, 3, 3]);
  });

  test('a replay can go to another target', async ({ startHarness }) => {
    const { client } = await startHarness({ receiver: false });
    const other = await startHarness();
    const injected = await client.inject({ type: 'invoice.paid', data: { object: { object: 'invoice' } } });

    const { deliveries } = await client.replay(injected.id, { target: other.receiver.url, signature: 'missing' });

    expect(deliveries).toEqual([expect.objectContaining({ target: other.receiver.url, status: 400 })]);
    expect(other.receiver.received).toHaveLength(1);
  });
});

test.describe('replay server: API @db', () => {
  test('injected events are stored and delivered as if captured, and found by every filter', async ({ startHarness }) => {
    const { client, receiver } = await startHarness();
    const run = uniqueId('run');
    const customer = uniqueId('cus');
    const email = `${uniqueId('Mixed')}@Example.com`;
    const paid = await client.inject({
      type: 'invoice.paid',
      data: { object: { object: 'invoice', customer, customer_email: email, parent: { subscription_details: { metadata: { vibes_run: run } } } } },
    });
    const created = await client.inject({ type: 'customer.created', data: { object: { object: 'customer', id: customer, email, metadata: {} } } });
    const other = await client.inject({ type: 'customer.created', data: { object: { object: 'customer', id: uniqueId('cus') } } });
    // No email on it: found by its email through the customer the other two name.
    const charged = await client.inject({ type: 'payment_intent.succeeded', data: { object: { object: 'payment_intent', customer, receipt_email: null } } });

    expect(paid).toMatchObject({ source: 'injected', signature: 'unchecked', customer, email, run, teardown: false, delivery_count: 1, last_status: 200 });
    expect(paid.id).toMatch(/^evt_/);
    expect(paid.payload).toEqual(JSON.parse(paid.raw));
    expect(receiver.accepted()).toHaveLength(4);

    const ids = async (filters: Parameters<typeof client.listEvents>[0]) => (await client.listEvents(filters)).data.map((e) => e.id);
    // A run's customers' other events too: they carry no run id (Checkout makes the customer).
    expect(await ids({ run })).toEqual([charged.id, created.id, paid.id]);
    expect(await ids({ run, type: 'invoice.paid' })).toEqual([paid.id]);
    expect(await ids({ customer })).toEqual([charged.id, created.id, paid.id]);
    expect(await ids({ email: email.toLowerCase() })).toEqual([charged.id, created.id, paid.id]);
    expect(await ids({ email: email.toUpperCase(), type: 'invoice.paid' })).toEqual([paid.id]);
    expect(await ids({ email: email.toUpperCase(), type: 'payment_intent.succeeded' })).toEqual([charged.id]);
    expect(await ids({ email: 'someone-else@example.com' })).toEqual([]);
    expect(await ids({ type: 'customer.created' })).toEqual([other.id, created.id]);
    expect(await ids({ since: new Date(Date.now() + 60_000) })).toEqual([]);
    expect(await ids({ since: new Date(paid.received_at) })).toEqual([charged.id, other.id, created.id, paid.id]);
    expect(await client.listEvents({ limit: 3 })).toMatchObject({ has_more: true, data: [{ id: charged.id }, { id: other.id }, { id: created.id }] });
    expect(await client.listEvents({ limit: 4 })).toMatchObject({ has_more: false });
  });

  test('an injected event can carry its own headers and exact bytes', async ({ startHarness }) => {
    const { client, secret, receiver } = await startHarness();
    const event = stripeEvent('checkout.session.completed', 'checkout.session');
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: event.raw, secret });

    const stored = await client.inject(event.raw, { headers: { 'Stripe-Signature': signature } });

    expect(stored).toMatchObject({ id: event.id, raw: event.raw, signature: 'valid' });
    expect(stored.headers['stripe-signature']).toBe(signature);
    expect(receiver.received[0]!.body.toString()).toBe(event.raw);
    await expect(client.inject(event.raw)).rejects.toThrow(/already stored/);
  });

  test('health, and the NDJSON export and import over HTTP', async ({ startHarness, secondDatabaseUrl }) => {
    const source = await startHarness();
    expect(await source.client.health()).toEqual({ ok: true, forward_to: source.receiver.url, signing: true });
    const run = uniqueId('run');
    const a = await source.client.inject({ type: 'invoice.paid', data: { object: { object: 'invoice', metadata: { vibes_run: run } } } });
    const b = await source.client.inject(`{"id":"${uniqueId('evt')}","type":"invoice.paid","data":{"object":{"metadata":{"vibes_run":"${run}"}}}}`);
    await source.client.inject({ type: 'invoice.paid', data: { object: {} } });

    const ndjson = await source.client.exportEvents({ run });
    expect(ndjson.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual([a.id, b.id]);

    const { client } = await startHarness({ databaseUrl: secondDatabaseUrl, receiver: false });
    expect(await client.importEvents(ndjson)).toEqual({ imported: 2, skipped: 0 });
    expect(await client.importEvents(ndjson)).toEqual({ imported: 0, skipped: 2 });
    expect((await client.getEvent(b.id)).raw).toBe(b.raw);
    expect(await client.getEvent(a.id)).toMatchObject({ raw: a.raw, source: 'imported', run, received_at: a.received_at, delivery_count: 0 });
  });
});
