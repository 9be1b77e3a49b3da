import { test, expect } from './support/replay-fixtures.js';
import { checkoutCompleted } from './support/replay-events.js';
import { startEmulatorHarness } from './support/emulator-harness.js';
import { StripeRateLimiter, removeStripeCustomers } from '../cleanup/index.js';
import { ReplayClient } from '../replay-server/index.js';

test.describe('replay server: stored-only injection and teardown marks @db', () => {
  test('an event injected with deliver: false reaches the app first through a replay burst', async ({ startHarness }) => {
    const { client, receiver } = await startHarness();
    const { raw, id } = checkoutCompleted('vibes+first@example.com');
    const stored = await client.inject(raw, { deliver: false });
    expect(stored.deliveries).toEqual([]);
    expect(receiver.received).toHaveLength(0);

    receiver.hold(3);
    const { deliveries } = await client.replay(id, { times: 3, concurrency: 3 });
    expect(deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(receiver.maxInFlight()).toBe(3);
  });

  test('"deliver" must be a boolean; nothing is stored otherwise', async ({ startHarness }) => {
    const { url, counts } = await startHarness();
    const before = await counts();
    const response = await fetch(`${url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: { type: 'x.y' }, deliver: 'no' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe('"deliver" must be true or false.');
    expect(await counts()).toEqual(before);
  });

  test("events caused by a test's cleanup are marked teardown and left out of test queries", async ({ startHarness }) => {
    const { url, client, secret } = await startHarness();
    const stripe = await startEmulatorHarness({ webhooks: [{ url: `${url}/webhooks/stripe`, secret }] });
    try {
      const customer = await stripe.stripe.customers.create({ email: 'vibes+gone@example.com' });
      await removeStripeCustomers([customer.id], { stripe: stripe.stripe, replay: new ReplayClient(url), limiter: new StripeRateLimiter() });
      await expect.poll(async () => (await client.listEvents({ customer: customer.id })).data.map((e) => `${e.type} teardown=${e.teardown}`).sort())
        .toEqual(['customer.created teardown=false', 'customer.deleted teardown=true']);
      const counted = await client.listEvents({ email: 'vibes+gone@example.com', teardown: false });
      expect(counted.data.map((e) => e.type)).toEqual(['customer.created']);
    } finally {
      await stripe.close();
    }
  });

  test('a teardown list that is not customer ids is refused', async ({ startHarness }) => {
    const { url } = await startHarness();
    for (const body of [{}, { customers: [] }, { customers: ['evt_1'] }, { customers: 'cus_1' }]) {
      const response = await fetch(`${url}/api/teardown`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_teardown');
    }
  });
});
