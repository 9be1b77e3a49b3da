import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { test as base } from './fixtures.js';
import { startDemoApp, type DemoBug } from '../../demo-app/index.js';
import { DemoBrowser } from './demo-browser.js';
import { deliver, deliverBurst, randomWebhookSecret, type Delivery, type DeliveryOptions, type StripeEventJson } from './demo-events.js';

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
  /** Signed with the app's secret unless told otherwise. */
  deliver(event: StripeEventJson, options?: Partial<DeliveryOptions>): Promise<Delivery>;
  deliverBurst(event: StripeEventJson, times: number): Promise<Delivery[]>;
  grants(email: string): Promise<number>;
  userId(email: string): Promise<string>;
}

export interface DemoFixtures {
  /** Planted bugs for this file or describe block: `test.use({ demoBugs: ['race'] })`. */
  demoBugs: DemoBug[];
  /** Where the app's Stripe client points; the emulator's URL in the upgrade test. */
  demoStripeUrl: string;
  demo: DemoApp;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(6).toString('hex')}@example.test`;
}

export const test = base.extend<DemoFixtures>({
  demoBugs: [[], { option: true }],
  demoStripeUrl: [UNREACHABLE_STRIPE, { option: true }],
  demo: async ({ databaseUrl, demoBugs, demoStripeUrl }, use) => {
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
    // pool.end() resolves before every backend has gone; the forced drop of the test database
    // then ends the stragglers, which must not surface as an unhandled error.
    pool.on('error', () => {});
    const webhookSecret = randomWebhookSecret();
    const app = await startDemoApp({
      pool,
      stripe: { secretKey: 'sk_test_vibes_emulator', emulatorUrl: demoStripeUrl },
      webhookSecret,
      bugs: demoBugs,
    });
    try {
      await use({
        url: app.url,
        pool,
        webhookSecret,
        browser: () => new DemoBrowser(app.url),
        deliver: (event, options) => deliver(app.url, event, { secret: webhookSecret, ...options }),
        deliverBurst: (event, times) => deliverBurst(app.url, event, times, { secret: webhookSecret }),
        async grants(email) {
          const { rows } = await pool.query<{ n: number }>(GRANTS_SQL, [email]);
          return rows[0]!.n;
        },
        async userId(email) {
          const { rows } = await pool.query<{ id: string }>('select id from demo.users where lower(email) = lower($1)', [email]);
          if (!rows[0]) throw new Error(`no demo user ${email}`);
          return rows[0].id;
        },
      });
    } finally {
      await app.close();
      await pool.end();
    }
  },
});

export { expect } from './fixtures.js';
