import { test, expect, uniqueEmail, DEMO_PASSWORD as PASSWORD } from './support/demo-fixtures.js';
import { alertText, heading, planText } from './support/demo-browser.js';
import { checkoutCompleted } from './support/demo-events.js';

test.describe('demo app accounts @db', () => {
  test('the landing page links to sign up and log in', async ({ demo }) => {
    const page = await demo.browser().get('/');
    expect(page.status).toBe(200);
    expect(heading(page.body)).toBe('Vibes Demo');
    expect(page.body).toContain('<a href="/signup">Sign up</a>');
    expect(page.body).toContain('<a href="/login">Log in</a>');
  });

  test('sign up stores a scrypt hash, starts a session and shows the Free plan', async ({ demo }) => {
    const browser = demo.browser();
    const email = uniqueEmail('signup');
    const form = await browser.get('/signup');
    expect(form.body).toContain('<label for="email">Email</label>');
    expect(form.body).toContain('<label for="password">Password</label>');
    expect(form.body).toContain('<button type="submit">Sign up</button>');

    const res = await browser.post('/signup', { email, password: PASSWORD });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${demo.url}/dashboard`);
    const sessionCookie = res.headers.getSetCookie().find((c) => c.startsWith('demo_session='));
    expect(sessionCookie).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/);

    const dashboard = await browser.get('/dashboard');
    expect(dashboard.status).toBe(200);
    expect(heading(dashboard.body)).toBe('Dashboard');
    expect(dashboard.body).toContain(email);
    expect(planText(dashboard.body)).toBe('Free plan');
    expect(dashboard.body).toContain('<button type="submit">Upgrade to Pro</button>');

    const { rows } = await demo.pool.query<{ password_hash: string }>('select password_hash from demo.users where email = $1', [email]);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(rows[0]!.password_hash).not.toContain(PASSWORD);
  });

  test('log out ends the session on the server; log in starts a new one', async ({ demo }) => {
    const browser = demo.browser();
    const email = uniqueEmail('logout');
    await browser.signup(email, PASSWORD);
    const oldSession = browser.cookie('demo_session')!;

    const out = await browser.logout();
    expect(out.status).toBe(303);
    expect(out.location).toBe(`${demo.url}/?notice=logged-out`);
    expect((await browser.get(out.location!)).body).toContain('You have been logged out.');
    expect((await browser.get('/dashboard')).location).toBe(`${demo.url}/login`);

    // The old cookie, replayed by someone who kept it, no longer works.
    const replay = await fetch(`${demo.url}/dashboard`, { headers: { cookie: `demo_session=${oldSession}` }, redirect: 'manual' });
    expect(replay.status).toBe(303);

    const login = await browser.login(email.toUpperCase(), PASSWORD);
    expect(login.status).toBe(303);
    expect(login.location).toBe(`${demo.url}/dashboard`);
    expect(await browser.plan()).toBe('Free plan');
  });

  test('a wrong password or an unknown email is refused with the same message', async ({ demo }) => {
    const email = uniqueEmail('wrongpw');
    await demo.browser().signup(email, PASSWORD);

    for (const [who, password] of [[email, 'not the password'], [uniqueEmail('nobody'), PASSWORD]] as const) {
      const browser = demo.browser();
      const res = await browser.login(who, password);
      expect(res.status).toBe(401);
      expect(alertText(res.body)).toBe('Email or password is incorrect.');
      expect(browser.cookie('demo_session')).toBeUndefined();
      expect((await browser.get('/dashboard')).status).toBe(303);
    }
  });

  test('a duplicate email is refused with a clear message, whatever its case', async ({ demo }) => {
    const email = uniqueEmail('dup');
    expect((await demo.browser().signup(email, PASSWORD)).status).toBe(303);

    const again = demo.browser();
    const res = await again.signup(email.toUpperCase(), 'another password');
    expect(res.status).toBe(409);
    expect(alertText(res.body)).toBe('An account with this email already exists. Log in instead, or sign up with another email.');
    expect(again.cookie('demo_session')).toBeUndefined();
    const { rows } = await demo.pool.query('select 1 from demo.users where lower(email) = lower($1)', [email]);
    expect(rows).toHaveLength(1);
  });

  test('sign-up input that cannot be an account is refused and creates nothing', async ({ demo }) => {
    const browser = demo.browser();
    const short = await browser.signup(uniqueEmail('short'), 'short');
    expect(short.status).toBe(400);
    expect(alertText(short.body)).toBe('Choose a password of at least 8 characters.');
    const noEmail = await browser.signup('not-an-email', PASSWORD);
    expect(noEmail.status).toBe(400);
    expect(alertText(noEmail.body)).toContain('valid email address');
    const { rows } = await demo.pool.query('select count(*)::int as n from demo.users');
    expect(rows[0].n).toBe(0);
  });

  test('a form post without or with a wrong CSRF token gets 403 and changes nothing', async ({ demo }) => {
    const email = uniqueEmail('csrf');
    const visitor = demo.browser();
    await visitor.get('/signup');
    for (const csrf of [null, 'forged-token']) {
      const res = await visitor.post('/signup', { email, password: PASSWORD }, { csrf });
      expect(res.status).toBe(403);
      expect(res.body).toContain('nothing was changed');
    }
    expect((await demo.pool.query('select 1 from demo.users')).rows).toHaveLength(0);

    const user = demo.browser();
    await user.signup(email, PASSWORD);
    const login = demo.browser();
    await login.get('/login');
    expect((await login.post('/login', { email, password: PASSWORD }, { csrf: 'forged-token' })).status).toBe(403);
    expect(login.cookie('demo_session')).toBeUndefined();

    // Signed in: no token, a forged one, a token given to another browser, or this browser's own
    // signed-out cookie token (which a sibling subdomain could plant) all fail.
    await user.get('/dashboard');
    const ownCookieToken = user.cookie('demo_csrf');
    expect(ownCookieToken).toBeDefined();
    for (const csrf of [null, 'forged-token', visitor.csrf!, ownCookieToken!]) {
      expect((await user.post('/account/delete', { confirm: 'yes' }, { csrf })).status).toBe(403);
      expect((await user.post('/logout', {}, { csrf })).status).toBe(403);
      expect((await user.post('/billing/upgrade', {}, { csrf })).status).toBe(403);
    }
    expect(await user.plan()).toBe('Free plan');
    const { rows } = await demo.pool.query('select upgrade_requested_at from demo.users where email = $1', [email]);
    expect(rows).toEqual([{ upgrade_requested_at: null }]);
  });

  test('a query value naming a property of every object shows no notice', async ({ demo }) => {
    const { browser } = await demo.signedUp('proto');
    expect(await demo.browser().get('/?notice=logged-out').then((page) => page.body)).toContain('<p role="status">You have been logged out.</p>');
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      for (const page of [await demo.browser().get(`/?notice=${name}`), await demo.browser().get(`/login?notice=${name}`), await browser.get(`/dashboard?checkout=${name}`)]) {
        expect(page.status, name).toBe(200);
        expect(page.body, name).not.toContain('role="status"');
        expect(page.body, name).not.toContain('native code');
      }
    }
  });

  test('account deletion removes the user and all their rows, and logs out', async ({ demo }) => {
    const browser = demo.browser();
    const email = uniqueEmail('delete');
    await browser.signup(email, PASSWORD);
    const userId = await demo.userId(email);
    await demo.pool.query("insert into demo.subscriptions (stripe_subscription_id, user_id, status, event_created) values ('sub_x', $1, 'incomplete', 1)", [userId]);

    const page = await browser.get('/dashboard');
    expect(page.body).toContain('<label for="confirm-delete">I understand that this permanently deletes my account</label>');
    const res = await browser.post('/account/delete', { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${demo.url}/account/deleted`);
    expect(browser.cookie('demo_session')).toBeUndefined();
    const done = await browser.get('/account/deleted');
    expect(heading(done.body)).toBe('Your account has been deleted');

    for (const table of ['users', 'sessions', 'entitlements', 'subscriptions']) {
      const column = table === 'users' ? 'id' : 'user_id';
      const { rows } = await demo.pool.query(`select 1 from demo.${table} where ${column} = $1`, [userId]);
      expect(rows, table).toHaveLength(0);
    }
    expect((await browser.get('/dashboard')).status).toBe(303);
    expect((await demo.browser().login(email, PASSWORD)).status).toBe(401);
  });

  test('account deletion without the confirmation box deletes nothing', async ({ demo }) => {
    const browser = demo.browser();
    const email = uniqueEmail('noconfirm');
    await browser.signup(email, PASSWORD);
    await browser.get('/dashboard');
    const res = await browser.post('/account/delete', {});
    expect(res.status).toBe(400);
    expect(alertText(res.body)).toBe('Tick the box to confirm that you want to delete your account. Nothing was deleted.');
    expect(await browser.plan()).toBe('Free plan');
  });

  test('when Stripe cannot delete the customer, the account stays and says why', async ({ demo }) => {
    const browser = demo.browser();
    const email = uniqueEmail('stripedown');
    await browser.signup(email, PASSWORD);
    const paid = checkoutCompleted({ userId: await demo.userId(email), email, customer: 'cus_testkept' });
    expect((await demo.deliver(paid)).status).toBe(200);

    await browser.get('/dashboard');
    const res = await browser.post('/account/delete', { confirm: 'yes' });
    expect(res.status).toBe(502);
    expect(alertText(res.body)).toBe('We could not delete your billing record at Stripe, so nothing was deleted. Please try again.');
    expect(await browser.plan()).toBe('Pro plan');
    expect(await demo.grants(email)).toBe(1);
  });
});
