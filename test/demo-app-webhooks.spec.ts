import { test, expect, type DemoApp } from './support/demo-fixtures.js';
import { heading, planText } from './support/demo-browser.js';
import { checkoutCompleted, nowSeconds, randomWebhookSecret, subscriptionEvent } from './support/demo-events.js';


/** Resolves once another backend waits on a lock that backend `pid` holds (bounded: 100 polls). */
async function waitUntilBlockedBy(demo: DemoApp, pid: number): Promise<void> {
  for (let poll = 0; poll < 100; poll++) {
    const waiting = await demo.pool.query('select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid]);
    if (waiting.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no transaction came to wait on backend ${pid} within 5 s`);
}

async function processedEvents(demo: DemoApp): Promise<number> {
  const { rows } = await demo.pool.query<{ n: number }>('select count(*)::int as n from demo.processed_events');
  return rows[0]!.n;
}

test.describe('demo app webhook @db', () => {
  test('a paid checkout grants Pro exactly once, however often it is delivered in a row', async ({ demo }) => {
    const { browser, email, userId } = await demo.signedUp('seq');
    const paid = checkoutCompleted({ userId, email });

    const first = await demo.deliver(paid);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ received: true, outcome: 'processed' });
    for (let i = 0; i < 3; i++) {
      const again = await demo.deliver(paid);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body)).toEqual({ received: true, outcome: 'duplicate' });
    }
    expect(await demo.grants(email)).toBe(1);
    expect(await browser.plan()).toBe('Pro plan');
    expect((await browser.get('/dashboard')).body).not.toContain('Upgrade to Pro');
    const { rows } = await demo.pool.query('select stripe_customer_id from demo.users where id = $1', [userId]);
    expect(rows[0].stripe_customer_id).toBe(paid.data.object.customer);
  });

  test('a concurrent burst of the same event grants exactly once', async ({ demo }) => {
    const { email, userId } = await demo.signedUp('burst');
    const paid = checkoutCompleted({ userId, email });
    const answers = await demo.deliverBurst(paid, 10);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(answers.filter((a) => a.body.includes('"processed"'))).toHaveLength(1);
    expect(await demo.grants(email)).toBe(1);
  });

  test('the user is found by metadata, then by email, when client_reference_id is missing', async ({ demo }) => {
    const byEmail = await demo.signedUp('byemail');
    expect((await demo.deliver(checkoutCompleted({ userId: null, email: byEmail.email.toUpperCase() }))).status).toBe(200);
    expect(await demo.grants(byEmail.email)).toBe(1);
  });

  test('missing, wrong-secret and stale signatures get 400 and grant nothing', async ({ demo }) => {
    const { browser, email, userId } = await demo.signedUp('sig');
    const paid = checkoutCompleted({ userId, email });

    const missing = await demo.deliver(paid, { secret: null });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Missing Stripe-Signature header');

    const wrong = await demo.deliver(paid, { secret: randomWebhookSecret() });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('Stripe signature verification failed');

    const stale = await demo.deliver(paid, { timestamp: nowSeconds() - 60 * 60 });
    expect(stale.status).toBe(400);
    expect(stale.body).toMatch(/Stripe signature verification failed: .*tolerance/);

    // A body altered after signing: same header, different bytes.
    const tampered = await fetch(`${demo.url}/api/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' },
      body: JSON.stringify(paid),
    });
    expect(tampered.status).toBe(400);

    expect(await demo.grants(email)).toBe(0);
    expect(await processedEvents(demo)).toBe(0);
    expect(await browser.plan()).toBe('Free plan');

    // The same event, properly signed, is accepted: the refusals were about the signature alone.
    expect((await demo.deliver(paid)).status).toBe(200);
    expect(await demo.grants(email)).toBe(1);
  });

  test('a signed body that is not an event gets 400; an unknown event type gets 200 and changes nothing', async ({ demo }) => {
    const notAnEvent = { hello: 'world' } as unknown as Parameters<DemoApp['deliver']>[0];
    const bad = await demo.deliver(notAnEvent);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Not a Stripe event');

    const { email, userId } = await demo.signedUp('unknown');
    const other = { ...checkoutCompleted({ userId, email }), type: 'invoice.finalized' };
    const res = await demo.deliver(other);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: true, outcome: 'ignored' });
    expect(await demo.grants(email)).toBe(0);
  });

  test('an unpaid (async payment) checkout grants nothing until it is paid', async ({ demo }) => {
    const { email, userId } = await demo.signedUp('async');
    const pending = checkoutCompleted({ userId, email, paymentStatus: 'unpaid' });
    expect((await demo.deliver(pending)).status).toBe(200);
    expect(await demo.grants(email)).toBe(0);
    const succeeded = { ...checkoutCompleted({ userId, email }), type: 'checkout.session.async_payment_succeeded' };
    expect((await demo.deliver(succeeded)).status).toBe(200);
    expect(await demo.grants(email)).toBe(1);
  });

  test('subscription state follows the newest event by created, not the last to arrive', async ({ demo }) => {
    const { browser, email, userId, customer, subscription, t0 } = await demo.subscribed('order');
    expect(await browser.plan()).toBe('Pro plan');

    const active = subscriptionEvent('updated', { subscription, customer, userId, status: 'active', created: t0 + 10 });
    const cancelled = subscriptionEvent('deleted', { subscription, customer, userId, status: 'canceled', created: t0 + 20 });
    // Newest first: the cancellation revokes Pro, and the older "active" arriving late must not undo it.
    expect((await demo.deliver(cancelled)).status).toBe(200);
    expect(await browser.plan()).toBe('Free plan');
    expect((await demo.deliver(active)).status).toBe(200);
    expect(await browser.plan()).toBe('Free plan');

    const { rows } = await demo.pool.query('select status, event_created::int as created from demo.subscriptions where stripe_subscription_id = $1', [subscription]);
    expect(rows).toEqual([{ status: 'canceled', created: t0 + 20 }]);
    const revoked = await demo.pool.query('select revoked_at from demo.entitlements where user_id = $1', [userId]);
    expect(revoked.rows).toHaveLength(1);
    expect(revoked.rows[0].revoked_at).toBeInstanceOf(Date);
    expect(await demo.grants(email)).toBe(1);
  });

  test('a cancellation that waits on the account being deleted is answered 200 and leaves no orphan row', async ({ demo }) => {
    const { userId, customer, subscription, t0 } = await demo.subscribed('deleting');
    // The deletion as the app runs it (subscriptions locked, then the user), held open while
    // the cancellation it set off at Stripe arrives and has to wait for it.
    const deletion = await demo.pool.connect();
    try {
      const { rows: [backend] } = await deletion.query<{ pid: number }>('select pg_backend_pid() as pid');
      await deletion.query('begin');
      await deletion.query('select 1 from demo.subscriptions where user_id = $1 for update', [userId]);
      await deletion.query('delete from demo.users where id = $1', [userId]);
      const cancelled = demo.deliver(subscriptionEvent('deleted', { subscription, customer, userId, status: 'canceled', created: t0 + 20 }));
      await waitUntilBlockedBy(demo, backend!.pid);
      await deletion.query('commit');
      const answer = await cancelled;
      expect(answer.status, answer.body).toBe(200);
    } finally {
      // Destroyed, not returned to the pool: a failure above would leave its transaction open.
      deletion.release(true);
    }
    // The deleted account owned it, and the cascade took its row: nothing ownerless is put back.
    const { rows } = await demo.pool.query('select 1 from demo.subscriptions where stripe_subscription_id = $1', [subscription]);
    expect(rows).toEqual([]);
  });

  test('an event for a deleted account updates nothing and inserts no ownerless row', async ({ demo }) => {
    const { userId, customer, subscription, t0 } = await demo.subscribed('gone');
    await demo.deliver(subscriptionEvent('created', { subscription, customer, userId, status: 'active', created: t0 }));
    await demo.pool.query('delete from demo.users where id = $1', [userId]);

    const cancelled = await demo.deliver(subscriptionEvent('deleted', { subscription, customer, userId, status: 'canceled', created: t0 + 20 }));
    expect(cancelled.status).toBe(200);
    expect(JSON.parse(cancelled.body)).toEqual({ received: true, outcome: 'ignored' });
    expect((await demo.pool.query('select 1 from demo.subscriptions where stripe_subscription_id = $1', [subscription])).rows).toEqual([]);
  });

  test('events of one second are ordered by status, not arrival: a cancellation is never undone', async ({ demo }) => {
    const { browser, email, userId, customer, subscription, t0 } = await demo.subscribed('tie');
    const at = (type: 'created' | 'updated' | 'deleted', status: string, created: number) =>
      demo.deliver(subscriptionEvent(type, { subscription, customer, userId, status, created }));
    const stored = async () =>
      (await demo.pool.query('select status, event_created::int as created from demo.subscriptions where stripe_subscription_id = $1', [subscription])).rows;

    // Checkout's own pair, arriving the wrong way round: the late "incomplete" does not win.
    await at('updated', 'active', t0 + 1);
    await at('created', 'incomplete', t0 + 1);
    expect(await stored()).toEqual([{ status: 'active', created: t0 + 1 }]);

    // Cancelled, then an "active" of the same second arrives: still cancelled, still Free.
    await at('deleted', 'canceled', t0 + 10);
    expect(await browser.plan()).toBe('Free plan');
    expect(JSON.parse((await at('updated', 'active', t0 + 10)).body)).toEqual({ received: true, outcome: 'ignored' });
    expect(await browser.plan()).toBe('Free plan');
    // Canceled is terminal at Stripe: even a newer event cannot bring it back.
    await at('updated', 'active', t0 + 30);
    expect(await stored()).toEqual([{ status: 'canceled', created: t0 + 10 }]);
    expect(await browser.plan()).toBe('Free plan');
    expect(await demo.grants(email)).toBe(1);
  });

  test('in order, a newer cancellation revokes Pro and a newer reactivation restores it without a new grant', async ({ demo }) => {
    const { browser, email, customer, subscription, t0 } = await demo.subscribed('inorder');
    // Matched through the customer id stored at checkout, without metadata.
    await demo.deliver(subscriptionEvent('updated', { subscription, customer, status: 'past_due', created: t0 + 5 }));
    expect(await browser.plan()).toBe('Pro plan');
    await demo.deliver(subscriptionEvent('updated', { subscription, customer, status: 'unpaid', created: t0 + 10 }));
    expect(await browser.plan()).toBe('Free plan');
    await demo.deliver(subscriptionEvent('updated', { subscription, customer, status: 'active', created: t0 + 20 }));
    expect(await browser.plan()).toBe('Pro plan');
    expect(await demo.grants(email)).toBe(1);
  });

  test('the success page waits for the webhook, then shows Pro', async ({ demo }) => {
    const { browser, email, userId } = await demo.signedUp('success');
    const waiting = await browser.get('/billing/success?session_id=cs_test_123');
    expect(waiting.status).toBe(200);
    expect(heading(waiting.body)).toBe('Confirming your payment…');
    expect(waiting.body).toContain("fetch('/billing/status'");
    expect(waiting.body).toMatch(/<noscript><meta http-equiv="refresh" content="2;url=\/billing\/success\?session_id=cs_test_123&amp;attempt=1"><\/noscript>/);
    expect(JSON.parse((await browser.get('/billing/status')).body)).toEqual({ plan: 'free' });
    expect(planText(waiting.body)).toBeUndefined();

    await demo.deliver(checkoutCompleted({ userId, email }));
    expect(JSON.parse((await browser.get('/billing/status')).body)).toEqual({ plan: 'pro' });
    const confirmed = await browser.get('/billing/success?session_id=cs_test_123');
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(`${demo.url}/dashboard?checkout=success`);
    const dashboard = await browser.get(confirmed.location!);
    expect(planText(dashboard.body)).toBe('Pro plan');
    expect(dashboard.body).toContain('Payment confirmed. Welcome to Pro!');
  });

  test('a cancelled checkout shows a notice and stays on Free; status needs a session', async ({ demo }) => {
    const { browser } = await demo.signedUp('cancel');
    const page = await browser.get('/dashboard?checkout=cancelled');
    expect(page.body).toContain('Checkout was cancelled. You have not been charged.');
    expect(planText(page.body)).toBe('Free plan');
    expect((await demo.browser().get('/billing/status')).status).toBe(401);
  });
});
