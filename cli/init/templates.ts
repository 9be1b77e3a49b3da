import type { ProjectFacts } from './detect.js';

export interface AppChoice {
  command: string;
  url: string;
  webhookUrl: string;
  entitlementsSql: string;
  /** The framework that logs to stdout, whose log the run then shows (app.stdout: 'pipe'). */
  logsToStdout?: string;
  /** Where each choice came from, written as a comment into the config. */
  notes: string[];
}

/** The design's example probe: the user adapts table and column names. */
export const EXAMPLE_ENTITLEMENTS_SQL = 'select count(*) from entitlements e join users u on u.id = e.user_id where u.email = $1';

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The config; `testDir` is the folder the smoke spec goes to (an existing config's), when not the preset's e2e/. */
export function playwrightConfig(app: AppChoice, testDir = 'e2e'): string {
  const overrides = testDir === 'e2e' ? '' : `, {
  // Where your tests already were: the smoke spec went there too.
  testDir: ${quote(`./${testDir}`)},
}`;
  return `// The vibes e2e config (written by \`vibes init\`). Lines marked ADAPT are guesses about your app.
${app.notes.map((n) => `// ${n}`).join('\n')}
import { defineVibesConfig } from 'playwright-vibes';

export default defineVibesConfig({
  // How Playwright starts your app for a local run, and the URL that answers once it is up.
  // The browser opens this URL; BASE_URL (as \`vibes predeploy\` sets it) points the suite elsewhere.
  app: {
    command: ${quote(app.command)},
    url: ${quote(app.url)},${app.logsToStdout ? `
    // ${app.logsToStdout} logs to stdout: shown as [app] beside its errors, where a failure's "the app's log says why" points.
    stdout: 'pipe',` : ''}
  },
  // ADAPT: your Stripe webhook endpoint. The replay server captures Stripe's events and forwards
  // them here, re-signed with STRIPE_WEBHOOK_SECRET, which your app must verify with.
  webhooks: { forwardTo: ${quote(app.webhookUrl)} },
  // ADAPT: how many times your app granted the paid plan to an email ($1). toGrantExactlyOnce
  // and toGrantNothing poll it. An HTTP endpoint works too: { url: '/api/test/entitlements' }, a
  // path on the base URL, so it follows \`vibes predeploy\` to the deployment.
  entitlements: { sql: ${quote(app.entitlementsSql)} },
  // ADAPT (optional): remove the app's record of each test user after each test. Under
  // \`vibes predeploy\` SQL is left out (a deployment's users are in its own database); an
  // HTTP removal it serves works there too: { url: '/api/test/users', headers: { … } }.
  // cleanup: { appUser: { sql: 'delete from users where lower(email) = lower($1)' } },
  // ADAPT: where the flows find your pages, when not at these defaults: sign-up at /signup, log-in
  // at /login, the Upgrade button at /dashboard, "Delete account" at \`account\` (/dashboard too).
  // Set only what differs; labels and button names can be set the same way (buttons: { upgrade: /go pro/i }).
  // flows: { paths: { dashboard: '/account', account: '/account/settings' } },
  // Hosts of your production app: the safety guard refuses to run against them.
  // guard: { productionHosts: ['app.example.com'] },
}${overrides});
`;
}

/**
 * The golden path and the declined card, like the preset's own smoke suite; the injected event of
 * the race is a one-time purchase's when the app's Checkout sells one (`payment`).
 */
export function smokeSpec(checkoutMode: ProjectFacts['checkoutMode'] = 'subscription'): string {
  const builder = checkoutMode === 'payment' ? "stripeEvents({ email: user.email, mode: 'payment' })" : 'stripeEvents({ email: user.email })';
  // A deleted customer's subscription ends too: Stripe says so first.
  const deletedEvents = (checkoutMode === 'payment' ? ['customer.deleted'] : ['customer.subscription.deleted', 'customer.deleted']).map((type) => `'${type}'`).join(', ');
  return `// The vibes smoke suite (written by \`vibes init\`): the outcomes your SaaS lives on.
// Tests tagged @predeploy are what .github/workflows/predeploy.yml runs against a deployment
// (\`vibes predeploy --grep @predeploy\`): they use the browser only, since a deployment sends
// its Stripe events to itself, not to this machine's replay server, and uses its own database.
// The flows fill fields by label and click buttons by name (Email, Password, "Sign up",
// "Upgrade", …); if yours are called differently, set \`flows\` in playwright.config.ts, e.g.
// flows: { paths: { signup: '/register' }, buttons: { upgrade: /go pro/i } }.
import { test, expect, stripeEvents } from 'playwright-vibes';

test("sign up, pay, Pro exactly once through Stripe's retries @smoke", async ({ page, user, flows, cards, webhooks, entitlements }) => {
  await flows.signup(user);
  await flows.upgrade();
  await flows.pay(cards.visa);
  // The app took the webhook: a success page that grants too would pass without it. First, so a
  // refused webhook (a wrong secret) fails here, with the app's answer, not as a missing text.
  await expect(webhooks).toHaveDelivered('checkout.session.completed', { to: user.email });
  // ADAPT: the page and the text that show the paid plan, loaded after the app took the webhook:
  // the page Checkout returned to may predate it, or still be refreshing itself.
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page.getByText(/pro plan/i)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });

  const paid = await webhooks.waitFor('checkout.session.completed', { email: user.email });
  await webhooks.replay(paid, { times: 2 }); // Stripe's retry
  await webhooks.replay(paid, { times: 5, concurrency: 5 }); // retries at once
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test('the first deliveries of one event, racing each other, grant once @smoke', async ({ user, flows, webhooks, entitlements }) => {
  await flows.signup(user);
  // Stripe can send an event again before its first delivery was answered. Stored, not yet
  // delivered, so every copy of the burst is a first one: "check the id, then record it" grants twice.
  // ADAPT: the event your handler reads: it finds the user by email here. stripeEvents({ email,
  // userId }) also sets client_reference_id and metadata.user_id (add \`db\` to the fixtures):
  //   userId: String(await db.value('select id from users where email = $1', [user.email]))
  // A handler that looks the session up in Stripe finds none for an injected event: leave this
  // test out for it. (The copies that lose may be answered with an error: Stripe retries them.)
  // A one-time purchase: stripeEvents({ email, mode: 'payment' }) (its session names a payment intent).
  const paid = await webhooks.inject(${builder}.checkoutCompleted(), { deliver: false });
  await webhooks.replay(paid, { times: 5, concurrency: 5 });
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test('stale, wrong-secret and unsigned webhooks are refused @smoke', async ({ user, flows, cards, webhooks, entitlements }) => {
  await flows.signup(user);
  await flows.upgrade();
  await flows.pay(cards.visa);
  const paid = await webhooks.waitFor('checkout.session.completed', { email: user.email });
  // An app that skips stripe.webhooks.constructEvent takes anyone's POST as Stripe's.
  for (const signature of ['stale', 'wrong-secret', 'missing'] as const) {
    const { deliveries } = await webhooks.replay(paid, { signature });
    const [status] = deliveries.map((d) => d.status);
    expect(status, \`a \${signature} signature must be refused with a 4xx\`).toBeGreaterThanOrEqual(400);
    expect(status, \`a \${signature} signature must be refused with a 4xx\`).toBeLessThan(500);
  }
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test('a visitor signs up, pays and gets the paid plan @smoke @predeploy', async ({ page, user, flows, cards }) => {
  await flows.signup(user);
  await flows.upgrade();
  await flows.pay(cards.visa);
  // ADAPT: the page and the text that show the paid plan. Loaded afresh, until the webhook has
  // granted it: the page Checkout returns to may show it from its URL alone (?success=true), which
  // proves nothing. On a deployment this needs Stripe to reach its webhook endpoint (an endpoint
  // for previews in Stripe's test mode).
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page.getByText(/pro plan/i)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
});

test('deleting the account deletes its Stripe customer @smoke', async ({ user, flows, cards, stripe, webhooks }) => {
  await flows.signup(user);
  await flows.upgrade();
  await flows.pay(cards.visa);
  // ADAPT: how your app's customer is found: here by the email Checkout was given.
  const [customer] = (await stripe.customers.list({ email: user.email })).data;
  expect(customer, "paying made a Stripe customer with the user's email").toBeDefined();
  await flows.deleteAccount();
  // The test's own cleanup would delete a customer the app left (and its saved card): only this sees it.
  await expect.poll(async () => (await stripe.customers.retrieve(customer!.id)).deleted ?? false, {
    message: 'the app deletes the Stripe customer with the account',
  }).toBe(true);
  // Stripe then tells the app about a user it no longer has, and retries an error (a row it cannot
  // find, a foreign key) for three days. Here its copy may arrive before the deletion is done (and be
  // taken): the same event under a new id is delivered now, when the user is surely gone.
  for (const type of [${deletedEvents}]) {
    const { id: _sent, ...event } = (await webhooks.waitFor(type, { email: user.email })).payload;
    const [late] = (await webhooks.inject(event)).deliveries;
    expect(String(late?.status), \`\${type} for a deleted user: \${late?.response_excerpt ?? late?.error}\`).toMatch(/^2\\d\\d$/);
  }
});

test('a declined card stays on Free @smoke', async ({ page, user, flows, cards, entitlements }) => {
  await flows.signup(user);
  await flows.upgrade();
  await flows.pay(cards.declined);
  await expect(page.getByText(/declined/i)).toBeVisible();

  // ADAPT: the page and the text that show the free plan.
  await page.goto('/dashboard');
  await expect(page.getByText(/free plan/i)).toBeVisible();
  await expect(entitlements).toGrantNothing(user.email);
});
`;
}

/** `@acme/web` → `acme_web_test`: a name Postgres takes unquoted. */
const dbName = (facts: ProjectFacts) => `${(facts.pkg.name ?? 'app').replace(/^@/, '').replace(/[^a-z0-9_]+/gi, '_').replace(/^_+|_+$/g, '') || 'app'}_test`;

export function envTestExample(facts: ProjectFacts): string {
  return `# Test settings for playwright-vibes (written by \`vibes init\`).
# Copy to .env.test (committed, no secrets) or .env.test.local (git-ignored, for secrets).
# The suite loads those two files, never .env. Your app may read its own .env files: set
# DATABASE_URL here, so it uses its test database (the guard refuses a production one it finds there).

# Your app's test database: the app reads it (as most apps do), and so do the entitlements SQL,
# the db fixture and cleanup.appUser.sql. Unset, those run on the preset's own database below.
# DATABASE_URL=postgres://postgres@127.0.0.1:5432/${dbName(facts)}

# Postgres for the preset's own webhook store and cleanup ledger (its schema \`vibes\`). Unset, it
# is DATABASE_URL's database, else an embedded Postgres that starts with the run.
# VIBES_DATABASE_URL=postgres://postgres@127.0.0.1:5432/${dbName(facts)}

# Stripe: leave STRIPE_SECRET_KEY unset to use the bundled emulator (no network, no keys); your
# app must then send its Stripe calls to STRIPE_EMULATOR_URL, which the run sets for it.
# For real Stripe test mode: a test key, and \`stripe listen --forward-to\` the replay server.
# STRIPE_SECRET_KEY=sk_test_...

# Hosts of your production app: the safety guard refuses to run against them.
# VIBES_PRODUCTION_HOSTS=app.example.com

# Pre-deploy check (vibes predeploy): Vercel's Protection Bypass for Automation secret.
# VERCEL_AUTOMATION_BYPASS_SECRET=
`;
}
