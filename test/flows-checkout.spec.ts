import { test as base, expect, devices } from '@playwright/test';
import type Stripe from 'stripe';
import { chromiumLaunchOptions, cards } from '../helpers/index.js';
import { Flows, defaultFlowsConfig } from '../helpers/flows.js';
import { oneTimePrice, startEmulatorHarness, type EmulatorHarness } from './support/emulator-harness.js';
import { loopbackSite, type LoopbackSite } from './support/loopback-site.js';

/**
 * `flows.pay` on hosted Checkout (the emulator's, whose form has real Checkout's field ids) for a
 * session that fixes no email: Checkout then asks for one, as real Checkout does.
 */
const SIGNUP_PAGE = `<!doctype html><title>Sign up</title>
<form action="/welcome">
  <label for="email">Email</label><input id="email" name="email" type="email">
  <label for="password">Password</label><input id="password" name="password" type="password">
  <button>Sign up</button>
</form>`;

const BROKEN_DASHBOARD = `<!doctype html><title>Dashboard</title><p>Free plan</p>
<form method="post" action="/upgrade"><button>Upgrade</button></form>`;

/** The app's pages: sign-up, a dashboard whose upgrade fails as an app without its Stripe does, a sign-up that refuses. */
function appPage(req: { method?: string; url?: string }): { status: number; body: string } {
  const path = new URL(req.url ?? '/', 'http://app').pathname;
  if (path === '/signup') return { status: 200, body: SIGNUP_PAGE };
  if (path === '/dashboard') return { status: 200, body: BROKEN_DASHBOARD };
  if (path === '/upgrade' && req.method === 'POST') return { status: 500, body: '<!doctype html><title>Error</title><h1>Error</h1><p>Something went wrong.</p>' };
  if (path === '/full') return { status: 200, body: SIGNUP_PAGE.replace('action="/welcome"', 'method="post" action="/full"') };
  return { status: 200, body: '<!doctype html><title>App</title><p>Thanks</p>' };
}

const test = base.extend<{ harness: EmulatorHarness; app: LoopbackSite; openCheckout: (options?: { customerEmail?: string }) => Promise<Stripe.Checkout.Session> }>({
  harness: async ({}, use) => {
    const harness = await startEmulatorHarness();
    await use(harness);
    await harness.close();
  },
  app: async ({}, use) => {
    const app = await loopbackSite((req) => (req.method === 'POST' && req.url === '/full' ? { status: 422, body: '<!doctype html><p>That email is taken.</p>' } : appPage(req)));
    await use(app);
    await app.close();
  },
  // The flows' paths go to this app, not to the demo app the repository's config points at.
  baseURL: async ({ app }, use) => {
    await use(app.url);
  },
  // A Checkout Session for one thing, opened in the page, as the app's upgrade would leave it.
  openCheckout: async ({ harness, app, page }, use) => {
    await use(async ({ customerEmail } = {}) => {
      const price = await oneTimePrice(harness.stripe);
      const session = await harness.stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        success_url: `${app.url}/paid`,
        cancel_url: `${app.url}/cancelled`,
        ...(customerEmail ? { customer_email: customerEmail } : {}),
      });
      await page.goto(session.url!);
      return session;
    });
  },
});

// The framework project has no browser of its own: this spec brings Chromium (Playwright's or the system's).
test.use({ ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() });

async function paidEmail(harness: EmulatorHarness, { id }: Stripe.Checkout.Session): Promise<string | null | undefined> {
  const session = await harness.stripe.checkout.sessions.retrieve(id);
  expect(session.status).toBe('complete');
  return session.customer_details?.email;
}

test('fills the email Checkout asks for with the user the flows signed up as', async ({ page, harness, app, openCheckout }) => {
  const flows = new Flows(page, defaultFlowsConfig);
  await flows.signup({ email: 'vibes+signed-up@example.com', password: 'pw-long-enough' });
  const session = await openCheckout();
  await flows.pay(cards.visa);
  expect(new URL(page.url()).pathname).toBe('/paid');
  expect(await paidEmail(harness, session)).toBe('vibes+signed-up@example.com');
  expect(app.requests.map((r) => r.path)).toContain('/paid');
});

test('an email given to pay wins over the remembered user', async ({ page, harness, openCheckout }) => {
  const flows = new Flows(page, defaultFlowsConfig);
  await flows.signup({ email: 'vibes+signed-up@example.com', password: 'pw-long-enough' });
  const session = await openCheckout();
  await flows.pay(cards.visa, { email: 'vibes+billing@example.com' });
  expect(await paidEmail(harness, session)).toBe('vibes+billing@example.com');
});

test('an email the session fixes is left as Checkout shows it', async ({ page, harness, openCheckout }) => {
  const session = await openCheckout({ customerEmail: 'vibes+fixed@example.com' });
  await new Flows(page, defaultFlowsConfig).pay(cards.visa, { email: 'vibes+other@example.com' });
  expect(await paidEmail(harness, session)).toBe('vibes+fixed@example.com');
});

test("3-D Secure: pay completes Stripe's authentication step, or fails it and waits for Checkout's message", async ({ page, harness, app, openCheckout }) => {
  const flows = new Flows(page, defaultFlowsConfig);
  await flows.signup({ email: 'vibes+3ds@example.com', password: 'pw-long-enough' });
  const completed = await openCheckout();
  await flows.pay(cards.threeDSecure);
  expect(new URL(page.url()).pathname).toBe('/paid');
  expect((await harness.stripe.checkout.sessions.retrieve(completed.id)).status).toBe('complete');

  const failed = await openCheckout();
  await flows.pay(cards.threeDSecure, { authentication: 'fail' });
  await expect(page.getByRole('alert')).toContainText('unable to authenticate your payment method');
  expect((await harness.stripe.checkout.sessions.retrieve(failed.id)).status).toBe('open');
  expect(app.requests.filter((r) => r.path === '/paid')).toHaveLength(1);
});

test('with no email to give, pay says what to do and submits nothing', async ({ page, harness, openCheckout }) => {
  const session = await openCheckout();
  await expect(new Flows(page, defaultFlowsConfig).pay(cards.visa)).rejects.toThrow(
    'Checkout asks for an email and flows.pay knows none: sign up or log in through flows first, pass flows.pay(card, { email })',
  );
  expect((await harness.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
});

test("an app's error page ends the flow at once, with its status and words, instead of a wait for Stripe", async ({ page }) => {
  const flows = new Flows(page, defaultFlowsConfig);
  await flows.signup({ email: 'vibes+broken@example.com', password: 'pw-long-enough' });
  await page.goto('/dashboard');
  await expect(flows.upgrade()).rejects.toThrow(/answered 500 for POST \/upgrade: "Error Something went wrong\."\. The app's log says why \(the run shows its stderr as \[app\]/);
  // Nor does pay wait on the error page for a Stripe frame.
  await expect(flows.pay(cards.visa)).rejects.toThrow(/answered 500 for POST \/upgrade/);
});

test('a sign-up form that answers an error at its own path is said, not waited on', async ({ page }) => {
  const flows = new Flows(page, { ...defaultFlowsConfig, paths: { ...defaultFlowsConfig.paths, signup: '/full' } });
  await expect(flows.signup({ email: 'vibes+taken@example.com', password: 'pw-long-enough' })).rejects.toThrow(/answered 422 for POST \/full: "That email is taken\."/);
});

test("leaves for success_url by a navigation of the page's own, as Stripe's Checkout does: a route on the app's origin (bypass headers) sees it", async ({ page, context, app, openCheckout }) => {
  const appOrigin = new URL(app.url).origin;
  const routed: string[] = [];
  await context.route((url) => url.origin === appOrigin, (route) => {
    routed.push(new URL(route.request().url()).pathname);
    return route.continue();
  });
  await openCheckout({ customerEmail: 'vibes+routed@example.com' });
  await new Flows(page, defaultFlowsConfig).pay(cards.visa);
  expect(new URL(page.url()).pathname).toBe('/paid');
  // A redirect from Checkout's origin would reach /paid unrouted, without the headers.
  expect(routed).toContain('/paid');
});
