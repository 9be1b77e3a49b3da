import { test, expect, payOnCheckout, VISA, DECLINED } from './support/demo-stripe.js';
import { alertText, planText } from './support/demo-browser.js';
import type Stripe from 'stripe';
import type { DemoApp, DemoStripe, SignedUp } from './support/demo-fixtures.js';
import { checkoutCompleted } from './support/demo-events.js';

/** The upgrade flow end to end over HTTP: the app, the unmodified stripe client, the emulator's Checkout and its webhooks. */

async function startUpgrade(demo: DemoApp, user: SignedUp): Promise<{ checkoutUrl: string; sessionId: string }> {
  await user.browser.get('/dashboard');
  const res = await user.browser.post('/billing/upgrade');
  expect(res.status).toBe(303);
  const checkoutUrl = res.location!;
  const sessionId = /\/c\/pay\/(cs_[^/?#]+)/.exec(checkoutUrl)?.[1];
  expect(sessionId, `a hosted Checkout URL, got ${checkoutUrl}`).toBeDefined();
  return { checkoutUrl, sessionId: sessionId! };
}

/** A new user who paid for Pro (the webhook has granted it), and their Stripe customer. */
async function proUser(demo: DemoApp, stripe: Stripe, name: string): Promise<{ user: SignedUp; customerId: string }> {
  const user = await demo.signedUp(name);
  const { checkoutUrl, sessionId } = await startUpgrade(demo, user);
  await payOnCheckout(checkoutUrl, VISA);
  await expect.poll(() => planStatus(user)).toBe('pro');
  return { user, customerId: (await stripe.checkout.sessions.retrieve(sessionId)).customer as string };
}

async function storedCustomer(demo: DemoApp, user: SignedUp): Promise<string | null> {
  const { rows } = await demo.pool.query<{ stripe_customer_id: string | null }>('select stripe_customer_id from demo.users where id = $1', [user.userId]);
  return rows[0]!.stripe_customer_id;
}

async function deleteAccount(demo: DemoApp, user: SignedUp): Promise<void> {
  await user.browser.get('/dashboard');
  const res = await user.browser.post('/account/delete', { confirm: 'yes' });
  expect(res.status).toBe(303);
  expect(res.location).toBe(`${demo.url}/account/deleted`);
}

/** Resolves once the emulator has delivered the subscription's cancellation and the app answered 2xx. */
async function cancellationDelivered(demoStripe: DemoStripe, stripe: Stripe, subscriptionId: string): Promise<void> {
  await expect
    .poll(async () => {
      const events = await stripe.events.list({ type: 'customer.subscription.deleted', limit: 100 });
      const event = events.data.find((e) => (e.data.object as Stripe.Subscription).id === subscriptionId);
      if (!event) return false;
      const res = await fetch(`${demoStripe.url}/_vibes/deliveries?event_id=${event.id}`);
      return ((await res.json()) as { data: { succeeded: boolean }[] }).data.some((d) => d.succeeded);
    })
    .toBe(true);
}

async function planStatus(user: SignedUp): Promise<string> {
  return (JSON.parse((await user.browser.get('/billing/status')).body) as { plan: string }).plan;
}

test.describe('demo app upgrade through Stripe Checkout @db', () => {
  test('upgrade creates a Checkout Session for the user; paying grants Pro once the webhook arrives', async ({ demo, demoStripe, stripe }) => {
    const user = await demo.signedUp('upgrade');
    const { checkoutUrl, sessionId } = await startUpgrade(demo, user);
    expect(new URL(checkoutUrl).origin).toBe(new URL(demoStripe.url).origin);

    // The customer is made and stored before Checkout, so the account knows it from the start.
    const stored = await storedCustomer(demo, user);
    expect(await stripe.customers.retrieve(stored!)).toMatchObject({ email: user.email, metadata: { user_id: user.userId } });
    const session = await stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({
      mode: 'subscription',
      customer: stored,
      client_reference_id: user.userId,
      metadata: { user_id: user.userId },
      success_url: `${demo.url}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${demo.url}/dashboard?checkout=cancelled`,
      amount_total: 1500,
      currency: 'usd',
    });

    const paid = await payOnCheckout(checkoutUrl, VISA);
    expect(paid.page).toContain('Subscribe');
    expect(paid.location).toBe(`${demo.url}/billing/success?session_id=${sessionId}`);

    await expect.poll(() => planStatus(user)).toBe('pro');
    const back = await user.browser.get(paid.location);
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${demo.url}/dashboard?checkout=success`);
    expect(planText((await user.browser.get(back.location!)).body)).toBe('Pro plan');
    expect(await demo.grants(user.email)).toBe(1);

    const completed = await stripe.checkout.sessions.retrieve(sessionId);
    const { rows } = await demo.pool.query('select stripe_customer_id from demo.users where id = $1', [user.userId]);
    expect(rows[0].stripe_customer_id).toBe(completed.customer);
    await expect.poll(async () => (await demo.pool.query('select status from demo.subscriptions where user_id = $1', [user.userId])).rows).toEqual([{ status: 'active' }]);
  });

  test('the Pro price is made once and reused by every upgrade', async ({ demo, stripe }) => {
    const first = await startUpgrade(demo, await demo.signedUp('price1'));
    const second = await startUpgrade(demo, await demo.signedUp('price2'));
    const items = await Promise.all([first, second].map((s) => stripe.checkout.sessions.listLineItems(s.sessionId)));
    const priceIds = items.map((list) => list.data[0]?.price?.id);
    expect(priceIds[0]).toBeDefined();
    expect(priceIds[1]).toBe(priceIds[0]);
    const price = await stripe.prices.retrieve(priceIds[0]!);
    expect(price).toMatchObject({ unit_amount: 1500, currency: 'usd', recurring: { interval: 'month' } });
  });

  test('a declined card leaves the user on Free: Checkout says declined, nothing is granted', async ({ demo, stripe }) => {
    const user = await demo.signedUp('declined');
    const { checkoutUrl, sessionId } = await startUpgrade(demo, user);
    const attempt = await payOnCheckout(checkoutUrl, DECLINED);
    expect(attempt.location).toBe(checkoutUrl);
    expect(await (await fetch(attempt.location)).text()).toContain('Your card has been declined.');

    // The session is still open and no completion event exists, so no grant can still be on its way.
    expect((await stripe.checkout.sessions.retrieve(sessionId)).status).toBe('open');
    expect((await stripe.events.list({ type: 'checkout.session.completed' })).data).toHaveLength(0);
    expect(await user.browser.plan()).toBe('Free plan');
    expect(await planStatus(user)).toBe('free');
    expect(await demo.grants(user.email)).toBe(0);
  });

  test('account deletion deletes the Stripe customer too', async ({ demo, stripe }) => {
    const { user, customerId } = await proUser(demo, stripe, 'delete');

    await user.browser.get('/dashboard');
    const res = await user.browser.post('/account/delete', { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${demo.url}/account/deleted`);
    expect((await stripe.customers.retrieve(customerId)).deleted).toBe(true);
    expect((await demo.pool.query('select 1 from demo.users where id = $1', [user.userId])).rows).toHaveLength(0);
    expect(await demo.grants(user.email)).toBe(0);
  });

  test('deleting the account right after starting checkout deletes the customer made for it', async ({ demo, stripe }) => {
    const user = await demo.signedUp('delete-early');
    await startUpgrade(demo, user);
    const customerId = await storedCustomer(demo, user);
    expect(customerId).toMatch(/^cus_/);
    // No checkout.session.completed has arrived: the customer is known all the same.
    expect(await demo.grants(user.email)).toBe(0);

    await deleteAccount(demo, user);
    expect((await stripe.customers.retrieve(customerId!)).deleted).toBe(true);
    expect((await stripe.customers.search({ query: `metadata['user_id']:'${user.userId}'` })).data).toEqual([]);
  });

  test('after a declined card, account deletion leaves no customer and no open subscription', async ({ demo, stripe }) => {
    const user = await demo.signedUp('delete-declined');
    const { checkoutUrl } = await startUpgrade(demo, user);
    await payOnCheckout(checkoutUrl, DECLINED);
    const customerId = (await storedCustomer(demo, user))!;
    // The declined attempt made an incomplete subscription on the customer the app made.
    const before = await stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(before.data.map((sub) => sub.status)).toEqual(['incomplete']);

    await deleteAccount(demo, user);
    expect((await stripe.customers.retrieve(customerId)).deleted).toBe(true);
    const after = await stripe.subscriptions.list({ customer: customerId, status: 'all' });
    expect(after.data.map((sub) => sub.status)).toEqual(['canceled']);
  });

  test('account deletion leaves no subscription row behind once the cancellation from Stripe arrives', async ({ demo, demoStripe, stripe }) => {
    const { user } = await proUser(demo, stripe, 'delete-rows');
    const [row] = (await demo.pool.query<{ id: string }>('select stripe_subscription_id as id from demo.subscriptions where user_id = $1', [user.userId])).rows;
    expect(row).toBeDefined();

    await deleteAccount(demo, user);
    await cancellationDelivered(demoStripe, stripe, row!.id);
    expect((await stripe.subscriptions.retrieve(row!.id)).status).toBe('canceled');
    expect((await demo.pool.query('select 1 from demo.subscriptions where stripe_subscription_id = $1', [row!.id])).rows).toEqual([]);
  });

  test('a paid checkout for a deleted account cancels its subscription and grants nobody, not a newcomer with its email', async ({ demo, stripe }) => {
    const { user, customerId } = await proUser(demo, stripe, 'gone');
    const [{ id: subscriptionId }] = (await stripe.subscriptions.list({ customer: customerId })).data as [Stripe.Subscription];
    // The account is gone but Stripe was never told (its first checkout.session.completed failed,
    // say): the subscription is still live, and someone has since signed up with the same email.
    // The subscription's own webhooks may still be arriving: Postgres ends a deadlock with one of
    // them by failing one side, this statement included, and the deletion is simply tried again.
    await expect(() => demo.pool.query('delete from demo.users where id = $1', [user.userId])).toPass();
    const newcomer = demo.browser();
    expect((await newcomer.signup(user.email, 'another password')).status).toBe(303);

    const late = checkoutCompleted({ userId: user.userId, email: user.email, customer: customerId, subscription: subscriptionId });
    const res = await demo.deliver(late);
    expect(res.status, res.body).toBe(200);
    expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('canceled');
    expect(await demo.grants(user.email)).toBe(0);
    expect(await newcomer.plan()).toBe('Free plan');

    // Delivered again (Stripe retries until it sees a 2xx): a duplicate, nothing more to cancel.
    expect(JSON.parse((await demo.deliver(late)).body)).toEqual({ received: true, outcome: 'duplicate' });
    // Another one for a subscription already canceled at Stripe is fine too.
    const again = await demo.deliver(checkoutCompleted({ userId: user.userId, email: user.email, customer: customerId, subscription: subscriptionId }));
    expect(JSON.parse(again.body)).toEqual({ received: true, outcome: 'processed' });
    expect(await demo.grants(user.email)).toBe(0);
  });

  test('account deletion racing the webhooks it sets off waits for them instead of deadlocking', async ({ demo, stripe }) => {
    const { user, customerId } = await proUser(demo, stripe, 'delete-race');

    // Play a subscription webhook caught mid-transaction: it holds the subscription row and is
    // about to lock the user's (grants.ts takes them in that order).
    const webhook = await demo.pool.connect();
    try {
      await webhook.query('begin');
      await webhook.query('update demo.subscriptions set status = status where user_id = $1', [user.userId]);
      const pid = (await webhook.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;

      await user.browser.get('/dashboard');
      const deleting = user.browser.post('/account/delete', { confirm: 'yes' });
      // Until the deletion's own statement waits on that row (the real webhooks may wait too).
      await expect
        .poll(async () => {
          const { rows } = await demo.pool.query<{ query: string }>('select query from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid]);
          return rows.some((row) => /^(select 1 from demo\.subscriptions|delete from demo\.users)/.test(row.query));
        })
        .toBe(true);
      await webhook.query('select 1 from demo.users where id = $1 for update', [user.userId]);
      await webhook.query('commit');

      const res = await deleting;
      expect(res.status).toBe(303);
      expect(res.location).toBe(`${demo.url}/account/deleted`);
    } finally {
      await webhook.query('rollback').catch(() => {});
      webhook.release();
    }
    expect((await stripe.customers.retrieve(customerId)).deleted).toBe(true);
    expect((await demo.pool.query('select 1 from demo.users where id = $1', [user.userId])).rows).toHaveLength(0);
  });

  test('when Stripe refuses to make a Checkout Session, the user stays on the dashboard with a clear error', async ({ demo, stripe }) => {
    const user = await demo.signedUp('nocheckout');
    await startUpgrade(demo, user); // makes the Pro price
    const [price] = (await stripe.prices.list({ lookup_keys: ['vibes_demo_pro_monthly'] })).data;
    await stripe.prices.update(price!.id, { active: false });

    await user.browser.get('/dashboard');
    const res = await user.browser.post('/billing/upgrade');
    expect(res.status).toBe(502);
    expect(alertText(res.body)).toBe('We could not start checkout with Stripe. Nothing was charged; please try again.');
    expect(planText(res.body)).toBe('Free plan');
  });
});

test.describe('planted bug optimistic-ui @db', () => {
  test.use({ demoBugs: ['optimistic-ui'] });

  test('the dashboard shows Pro after a declined card, with nothing granted', async ({ demo }) => {
    const user = await demo.signedUp('optimistic');
    const { checkoutUrl } = await startUpgrade(demo, user);
    const attempt = await payOnCheckout(checkoutUrl, DECLINED);
    expect(await (await fetch(attempt.location)).text()).toContain('Your card has been declined.');

    expect(await user.browser.plan()).toBe('Pro plan');
    expect(await demo.grants(user.email)).toBe(0);
  });
});
