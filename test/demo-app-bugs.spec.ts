import { test, expect, uniqueEmail, DEMO_PASSWORD } from './support/demo-fixtures.js';
import { checkoutCompleted, randomWebhookSecret, subscriptionEvent } from './support/demo-events.js';

/**
 * Each planted bug must show at the HTTP level, or the suite that is meant to catch it proves
 * nothing. The correct app's behaviour for the same inputs is asserted in the other demo-app specs.
 */
test.describe('planted bug double-grant @db', () => {
  test.use({ demoBugs: ['double-grant'] });

  test('two sequential copies of one event grant twice', async ({ demo }) => {
    const { email, userId } = await demo.signedUp('double');
    const paid = checkoutCompleted({ userId, email });
    expect((await demo.deliver(paid)).status).toBe(200);
    expect((await demo.deliver(paid)).status).toBe(200);
    expect(await demo.grants(email)).toBe(2);
  });
});

test.describe('planted bug race @db', () => {
  test.use({ demoBugs: ['race'] });

  test('sequential copies grant once, but a concurrent burst grants more than once', async ({ demo }) => {
    const sequential = await demo.signedUp('raceseq');
    const paid = checkoutCompleted({ userId: sequential.userId, email: sequential.email });
    for (let i = 0; i < 3; i++) expect((await demo.deliver(paid)).status).toBe(200);
    expect(await demo.grants(sequential.email)).toBe(1);

    const burst = await demo.signedUp('raceburst');
    const answers = await demo.deliverBurst(checkoutCompleted({ userId: burst.userId, email: burst.email }), 5);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await demo.grants(burst.email)).toBeGreaterThan(1);
  });
});

test.describe('planted bug out-of-order @db', () => {
  test.use({ demoBugs: ['out-of-order'] });

  test('an older event arriving last overwrites a newer cancellation', async ({ demo }) => {
    const { browser, userId, customer, subscription, t0 } = await demo.subscribed('ooo');
    expect(await browser.plan()).toBe('Pro plan');
    await demo.deliver(subscriptionEvent('deleted', { subscription, customer, userId, status: 'canceled', created: t0 + 20 }));
    expect(await browser.plan()).toBe('Free plan');
    await demo.deliver(subscriptionEvent('updated', { subscription, customer, userId, status: 'active', created: t0 + 10 }));
    expect(await browser.plan()).toBe('Pro plan');
  });
});

test.describe('planted bug no-signature-check @db', () => {
  test.use({ demoBugs: ['no-signature-check'] });

  test('unsigned and wrong-secret events are accepted and grant', async ({ demo }) => {
    const unsigned = await demo.signedUp('unsigned');
    const noHeader = await demo.deliver(checkoutCompleted({ userId: unsigned.userId, email: unsigned.email }), { secret: null });
    expect(noHeader.status).toBe(200);
    expect(await demo.grants(unsigned.email)).toBe(1);

    const forged = await demo.signedUp('forged');
    const wrongSecret = await demo.deliver(checkoutCompleted({ userId: forged.userId, email: forged.email }), { secret: randomWebhookSecret() });
    expect(wrongSecret.status).toBe(200);
    expect(await forged.browser.plan()).toBe('Pro plan');
  });
});

test.describe('planted bug no-csrf @db', () => {
  test.use({ demoBugs: ['no-csrf'] });

  test('a form post without a token is obeyed', async ({ demo }) => {
    const visitor = demo.browser();
    const email = uniqueEmail('nocsrf');
    expect((await visitor.post('/signup', { email, password: DEMO_PASSWORD }, { csrf: null })).status).toBe(303);

    const res = await visitor.post('/account/delete', { confirm: 'yes' }, { csrf: 'forged-token' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${demo.url}/account/deleted`);
    expect((await demo.pool.query('select 1 from demo.users where email = $1', [email])).rows).toHaveLength(0);
  });
});
