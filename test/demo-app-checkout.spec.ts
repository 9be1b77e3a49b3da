import { test, expect, payOnCheckout, VISA, DECLINED } from './support/demo-stripe.js';
import { alertText, planText } from './support/demo-browser.js';
import type Stripe from 'stripe';
import type { DemoApp, SignedUp } from './support/demo-fixtures.js';

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

async function planStatus(user: SignedUp): Promise<string> {
  return (JSON.parse((await user.browser.get('/billing/status')).body) as { plan: string }).plan;
}

test.describe('demo app upgrade through Stripe Checkout @db', () => {
  test('upgrade creates a Checkout Session for the user; paying grants Pro once the webhook arrives', async ({ demo, demoStripe, stripe }) => {
    const user = await demo.signedUp('upgrade');
    const { checkoutUrl, sessionId } = await startUpgrade(demo, user);
    expect(new URL(checkoutUrl).origin).toBe(new URL(demoStripe.url).origin);

    const session = await stripe.checkout.sessions.retrieve(sessionId);
    expect(session).toMatchObject({
      mode: 'subscription',
      customer_email: user.email,
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
