import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { test as base } from './fixtures.js';
import { startDemoApp, type DemoBug } from '../../demo-app/index.js';
import { DemoBrowser } from './demo-browser.js';
import {
  checkoutCompleted,
  deliver,
  deliverBurst,
  nowSeconds,
  randomWebhookSecret,
  stripeId,
  type Delivery,
  type DeliveryOptions,
  type StripeEventJson,
} from './demo-events.js';

/** The query the e2e suite probes grants with: one row per grant. */
export const GRANTS_SQL =
  'select count(*)::int as n from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1';

/** Nothing listens on the discard port: Stripe calls fail fast, as when Stripe is unreachable. */
export const UNREACHABLE_STRIPE = 'http://127.0.0.1:9';

export interface DemoApp {
  url: string;
  pool: pg.Pool;
  webhookSecret: string;
  /** A fresh cookie jar: one visitor. */
  browser(): DemoBrowser;
  /** A visitor who has just signed up (and is signed in) with a unique email. */
  signedUp(label: string): Promise<SignedUp>;
  /** A signed-up visitor whose subscription checkout was paid (Pro) at `t0`, 100 s ago. */
  subscribed(label: string): Promise<Subscribed>;
  /** Signed with the app's secret unless told otherwise. */
  deliver(event: StripeEventJson, options?: Partial<DeliveryOptions>): Promise<Delivery>;
  deliverBurst(event: StripeEventJson, times: number): Promise<Delivery[]>;
  grants(email: string): Promise<number>;
  userId(email: string): Promise<string>;
}

export interface SignedUp {
  browser: DemoBrowser;
  email: string;
  userId: string;
}

export interface Subscribed extends SignedUp {
  customer: string;
  subscription: string;
  /** `created` of the checkout event; later subscription events count from here. */
  t0: number;
}

/** The Stripe side of the app: where its client points, its webhook secret, the port it listens on. */
export interface DemoStripe {
  url: string;
  webhookSecret: string;
  /** 0 for any; a fixed one when Stripe must know the webhook URL before the app starts. */
  appPort: number;
}

export interface DemoFixtures {
  /** Planted bugs for this file or describe block: `test.use({ demoBugs: ['race'] })`. */
  demoBugs: DemoBug[];
  /** By default an unreachable Stripe; test/support/demo-stripe.ts puts the emulator here. */
  demoStripe: DemoStripe;
  demo: DemoApp;
}

export const DEMO_PASSWORD = 'correct horse battery staple';

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(6).toString('hex')}@example.test`;
}

export const test = base.extend<DemoFixtures>({
  demoBugs: [[], { option: true }],
  demoStripe: async ({}, use) => {
    await use({ url: UNREACHABLE_STRIPE, webhookSecret: randomWebhookSecret(), appPort: 0 });
  },
  demo: async ({ databaseUrl, demoBugs, demoStripe }, use) => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
    // pool.end() resolves before every backend has gone; the forced drop of the test database
    // then ends the stragglers, which must not surface as an unhandled error.
    pool.on('error', () => {});
    const { webhookSecret } = demoStripe;
    const app = await startDemoApp({
      port: demoStripe.appPort,
      pool,
      stripe: { secretKey: 'sk_test_vibes_emulator', emulatorUrl: demoStripe.url },
      webhookSecret,
      bugs: demoBugs,
    });
    const userId = async (email: string) => {
      const { rows } = await pool.query<{ id: string }>('select id from demo.users where lower(email) = lower($1)', [email]);
      if (!rows[0]) throw new Error(`no demo user ${email}`);
      return rows[0].id;
    };
    const deliverSigned = (event: StripeEventJson, options?: Partial<DeliveryOptions>) =>
      deliver(app.url, event, { secret: webhookSecret, ...options });
    const signedUp = async (label: string): Promise<SignedUp> => {
      const browser = new DemoBrowser(app.url);
      const email = uniqueEmail(label);
      const res = await browser.signup(email, DEMO_PASSWORD);
      if (res.status !== 303) throw new Error(`sign-up of ${email} answered ${res.status}: ${res.body}`);
      return { browser, email, userId: await userId(email) };
    };
    try {
      await use({
        url: app.url,
        pool,
        webhookSecret,
        browser: () => new DemoBrowser(app.url),
        signedUp,
        async subscribed(label) {
          const user = await signedUp(label);
          const paid = { customer: stripeId('cus'), subscription: stripeId('sub'), t0: nowSeconds() - 100 };
          const res = await deliverSigned(checkoutCompleted({ ...user, ...paid, created: paid.t0 }));
          if (res.status !== 200) throw new Error(`checkout.session.completed answered ${res.status}: ${res.body}`);
          return { ...user, ...paid };
        },
        deliver: deliverSigned,
        deliverBurst: (event, times) => deliverBurst(app.url, event, times, { secret: webhookSecret }),
        async grants(email) {
          const { rows } = await pool.query<{ n: number }>(GRANTS_SQL, [email]);
          return rows[0]!.n;
        },
        userId,
      });
    } finally {
      await app.close();
      await pool.end();
    }
  },
});

export { expect } from './fixtures.js';
