import { expect as vibesExpect } from '../helpers/index.js';
import { Webhooks } from '../helpers/webhooks.js';
import { test, expect } from './support/replay-fixtures.js';
import { uniqueId } from './support/replay-events.js';

// The `webhooks` fixture's reads and its matcher, over a real replay server and app.

/** An event for this customer and email, as Stripe's Checkout sends one. */
function completed(email: string, customer: string, run: string) {
  return { type: 'checkout.session.completed', data: { object: { object: 'checkout.session', customer, customer_details: { email }, metadata: { vibes_run: run } } } };
}

test.describe('the webhooks fixture @db', () => {
  // toHaveDelivered fails on purpose here; its annotations are not the app's.
  test.afterEach(() => void test.info().annotations.splice(0));

  test('waitFor finds a test\'s event by email, customer or run, and never one its cleanup caused', async ({ startHarness }) => {
    const { client } = await startHarness();
    const [email, customer, run] = [`${uniqueId('w')}@example.com`, uniqueId('cus'), uniqueId('run')];
    const webhooks = new Webhooks(client, 2_000, { email, run });
    const injected = await client.inject(completed(email, customer, run));

    for (const match of [{ email }, { customer }, { run }]) {
      expect((await webhooks.waitFor('checkout.session.completed', match)).id, JSON.stringify(match)).toBe(injected.id);
    }
    // What deleting the test's customer causes arrives after its teardown is marked: not the test's event.
    await client.markTeardown([customer]);
    await client.inject({ type: 'customer.deleted', data: { object: { object: 'customer', id: customer, email } } });
    await expect(webhooks.waitFor('customer.deleted', { customer }, { timeout: 500 })).rejects.toThrow(
      `No customer.deleted event for customer ${customer} reached the replay server within 500 ms.\nEvents seen for customer ${customer}: customer.deleted, checkout.session.completed.`,
    );
    // events() and deliveries() read the same store.
    expect((await webhooks.events({ customer, teardown: true })).map((e) => e.type)).toEqual(['customer.deleted']);
    expect((await webhooks.deliveries(injected)).map((d) => [d.kind, d.status])).toEqual([['forward', 200]]);
  });

  test('toHaveDelivered passes on a genuine copy\'s 2xx answer, even after a forged copy is refused; fails on refusals alone; ignores teardown events', async ({ startHarness }) => {
    const app = await startHarness();
    // A server that knows no secret forwards unsigned: the app refuses every delivery with a 400.
    const unsigned = await startHarness({ secret: '' });
    // Both servers share the test's store: each email is its own.
    const [email, refusedEmail] = [`${uniqueId('d')}@example.com`, `${uniqueId('r')}@example.com`];
    const customer = uniqueId('cus');
    const delivered = new Webhooks(app.client, 2_000, { email, run: 'r' });
    const refused = new Webhooks(unsigned.client, 2_000, { email: refusedEmail, run: 'r' });
    const taken = await app.client.inject(completed(email, customer, 'r'));
    await unsigned.client.inject(completed(refusedEmail, uniqueId('cus'), 'r'));
    const quick = vibesExpect.configure({ timeout: 600 });

    await quick(delivered).toHaveDelivered('checkout.session.completed', { to: email });
    // A forged copy replayed later is refused, as it should be; the delivery the app took stands.
    const forged = await delivered.replay(taken, { signature: 'stale' });
    expect(forged.deliveries.map((d) => d.status)).toEqual([400]);
    await quick(delivered).toHaveDelivered('checkout.session.completed', { to: email });

    await quick(refused).not.toHaveDelivered('checkout.session.completed', { to: refusedEmail });
    const failure = await quick(refused).toHaveDelivered('checkout.session.completed', { to: refusedEmail }).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/Expected: checkout\.session\.completed for \S+ delivered genuinely signed with a 2xx answer\nReceived: evt_\w+ forward missing -> 400/);

    // A payment intent carries no email: it is found through the customer the session names.
    await app.client.inject({ type: 'payment_intent.succeeded', data: { object: { object: 'payment_intent', customer, receipt_email: null } } });
    await quick(delivered).toHaveDelivered('payment_intent.succeeded', { to: email });

    // A 2xx delivery of an event the test's cleanup caused proves nothing about the test.
    await app.client.markTeardown([customer]);
    await app.client.inject({ type: 'customer.deleted', data: { object: { object: 'customer', id: customer, email } } });
    await expect(quick(delivered).toHaveDelivered('customer.deleted', { to: email })).rejects.toThrow(/Received: no customer\.deleted event for .* \(none carries that email or names a customer that an event carrying it names\)/);
  });

  test('the timeline of a test holds its own events, and is attached to its report as text and JSON', async ({ startHarness }) => {
    const { client } = await startHarness();
    const [mine, other] = [`${uniqueId('t')}@example.com`, `${uniqueId('o')}@example.com`];
    const ownRun = uniqueId('run');
    const webhooks = new Webhooks(client, 2_000, { email: mine, run: ownRun });
    const customer = uniqueId('cus');
    const own = await client.inject(completed(mine, customer, ownRun));
    // The customer's subscription event names no email: it is the test's all the same.
    const subscription = await client.inject({ type: 'customer.subscription.created', data: { object: { object: 'subscription', customer, status: 'active' } } });
    await client.inject(completed(other, uniqueId('cus'), uniqueId('run')));
    const waitedOn = uniqueId('cus');
    const extra = await client.inject(completed(`${uniqueId('x')}@example.com`, waitedOn, ownRun));
    await webhooks.waitFor('checkout.session.completed', { customer: waitedOn });

    expect((await webhooks.timeline()).map((e) => e.id).sort()).toEqual([own.id, subscription.id, extra.id].sort());
    await webhooks.attachTimeline(test.info());
    const attached = test.info().attachments.filter((a) => a.name.startsWith('webhook-timeline'));
    expect(attached.map((a) => [a.name, a.contentType])).toEqual([['webhook-timeline.txt', 'text/plain'], ['webhook-timeline.json', 'application/json']]);
    const text = attached[0]!.body!.toString();
    expect(text).toContain(own.id);
    expect(text).not.toContain(other);
    // The JSON leaves out the raw bytes and headers (a signature is a secret's work).
    const json = JSON.parse(attached[1]!.body!.toString()) as Record<string, unknown>[];
    expect(json.map((e) => e.id).sort()).toEqual([own.id, subscription.id, extra.id].sort());
    expect(json.every((e) => !('raw' in e) && !('headers' in e))).toBe(true);
  });
});
