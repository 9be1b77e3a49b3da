import pg from 'pg';
import { test, expect } from './support/fixtures.js';
import { runVibes, startVibes } from './support/cli.js';
import { DEMO_BUGS } from '../demo-app/index.js';
import { DemoBrowser } from './support/demo-browser.js';
import { checkoutCompleted, deliver, randomWebhookSecret } from './support/demo-events.js';
import { DEMO_PASSWORD, GRANTS_SQL, UNREACHABLE_STRIPE, uniqueEmail } from './support/demo-fixtures.js';
import { payOnCheckout, VISA } from './support/demo-stripe.js';
import { startEmulatorHarness } from './support/emulator-harness.js';

/** The variables the command reads, cleared so that the developer's own shell does not leak in. */
const CLEAN_ENV = { STRIPE_SECRET_KEY: '', STRIPE_EMULATOR_URL: '', STRIPE_WEBHOOK_SECRET: '', DEMO_BUGS: '' };

test.describe('vibes demo-app @db', () => {
  test('serves the app from the built CLI, without printing its secrets', async ({ databaseUrl }) => {
    const secret = randomWebhookSecret();
    const app = await startVibes(['demo-app', '--port', '0', '--database-url', databaseUrl], {
      env: { ...CLEAN_ENV, STRIPE_WEBHOOK_SECRET: secret, STRIPE_EMULATOR_URL: UNREACHABLE_STRIPE },
    });
    try {
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
      const browser = new DemoBrowser(app.url);
      expect((await browser.signup(uniqueEmail('cli'), DEMO_PASSWORD)).status).toBe(303);
      expect(await browser.plan()).toBe('Free plan');
      expect(app.output()).toContain('planted bugs: none (the correct app)');
      expect(app.output()).not.toContain(secret);
      expect(app.output()).not.toContain('sk_test_vibes_emulator');
    } finally {
      await app.stop();
    }
  });

  test('under a test run (VIBES_RUN_ID), stamps the run on the customer, the Checkout Session and the subscription it makes', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const app = await startVibes(['demo-app', '--port', '0', '--database-url', databaseUrl], {
      env: { ...CLEAN_ENV, STRIPE_WEBHOOK_SECRET: randomWebhookSecret(), STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_RUN_ID: 'r-cli-run' },
    });
    try {
      const browser = new DemoBrowser(app.url);
      await browser.signup(uniqueEmail('run'), DEMO_PASSWORD);
      await browser.get('/dashboard'); // its form's CSRF token
      const upgrade = await browser.post('/billing/upgrade');
      expect(upgrade.status, upgrade.body).toBe(303);
      await payOnCheckout(upgrade.location!, VISA);

      const run = { vibes_run: 'r-cli-run' };
      const [customer] = (await harness.stripe.customers.list()).data;
      expect(customer?.metadata).toMatchObject(run);
      const [session] = (await harness.stripe.checkout.sessions.list()).data;
      expect(session?.metadata).toMatchObject(run);
      expect((await harness.stripe.subscriptions.retrieve(session!.subscription as string)).metadata).toMatchObject(run);
      // What the replay server indexes: the events' objects carry it.
      const completed = (await harness.stripe.events.list({ type: 'checkout.session.completed' })).data;
      expect(completed.map((e) => (e.data.object as { metadata: Record<string, string> }).metadata.vibes_run)).toEqual(['r-cli-run']);
    } finally {
      await app.stop();
      await harness.close();
    }
  });

  test('DEMO_BUGS switches a planted bug on at start', async ({ databaseUrl }) => {
    const secret = randomWebhookSecret();
    const app = await startVibes(['demo-app', '--port', '0', '--database-url', databaseUrl, '--stripe-emulator-url', UNREACHABLE_STRIPE, '--webhook-secret', secret], {
      env: { ...CLEAN_ENV, DEMO_BUGS: 'double-grant, no-csrf' },
    });
    const pool = new pg.Pool({ connectionString: databaseUrl });
    pool.on('error', () => {}); // the test database is dropped with force afterwards
    try {
      expect(app.output()).toContain('planted bugs: double-grant, no-csrf');
      const browser = new DemoBrowser(app.url);
      const email = uniqueEmail('clibug');
      await browser.signup(email, DEMO_PASSWORD);
      const { rows } = await pool.query<{ id: string }>('select id from demo.users where email = $1', [email]);
      const paid = checkoutCompleted({ userId: rows[0]!.id, email });
      expect((await deliver(app.url, paid, { secret })).status).toBe(200);
      expect((await deliver(app.url, paid, { secret })).status).toBe(200);
      expect((await pool.query(GRANTS_SQL, [email])).rows[0].n).toBe(2);
    } finally {
      await pool.end();
      await app.stop();
    }
  });
});

test.describe('vibes demo-app refuses to start', () => {
  test('with an unknown planted bug, naming the valid ones', async () => {
    const result = await runVibes(['demo-app', '--port', '0'], {
      env: { ...CLEAN_ENV, STRIPE_WEBHOOK_SECRET: randomWebhookSecret(), STRIPE_EMULATOR_URL: UNREACHABLE_STRIPE, DEMO_BUGS: 'race,doubel-grant' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown planted bug "doubel-grant" in DEMO_BUGS');
    for (const name of DEMO_BUGS) expect(result.stderr).toContain(name);
    expect(result.stdout).not.toContain('listening on');
  });

  test('without a webhook secret', async () => {
    const result = await runVibes(['demo-app', '--port', '0', '--stripe-emulator-url', UNREACHABLE_STRIPE], { env: CLEAN_ENV });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no webhook signing secret: pass --webhook-secret or set STRIPE_WEBHOOK_SECRET');
  });

  test('without an emulator URL or a Stripe key', async () => {
    const result = await runVibes(['demo-app', '--port', '0'], { env: { ...CLEAN_ENV, STRIPE_WEBHOOK_SECRET: randomWebhookSecret() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no Stripe to talk to: pass --stripe-emulator-url (or set STRIPE_EMULATOR_URL)');
  });

  test('with a live Stripe key, without printing it', async () => {
    const liveKey = `sk_live_${randomWebhookSecret().slice(6)}`;
    const result = await runVibes(['demo-app', '--port', '0'], { env: { ...CLEAN_ENV, STRIPE_WEBHOOK_SECRET: randomWebhookSecret(), STRIPE_SECRET_KEY: liveKey } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('STRIPE_SECRET_KEY is a live key');
    expect(result.stderr + result.stdout).not.toContain(liveKey);
  });
});
