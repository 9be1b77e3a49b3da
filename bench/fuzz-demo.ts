import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startDemoApp, type DemoBug } from '../demo-app/index.js';
import { statusOf, type FuzzEnvironment, type StripeEvent, type WebhookFuzzOptions } from '../helpers/index.js';
import { ReplayClient, startReplayServer } from '../replay-server/index.js';

/**
 * The demo app's webhook property, shared by the framework tests (which assert that it finds
 * each planted bug and nothing in the correct app) and the fuzz benchmark (which times it).
 * e2e/fuzz.spec.ts states the same property the way a user writes it, through the fixtures.
 */

export const DEMO_WEBHOOK_PATH = '/api/stripe/webhook';
const GRANTS_SQL = 'select count(*)::int as n from demo.entitlements e join demo.users u on u.id = e.user_id where lower(u.email) = lower($1)';
const SUBSCRIPTION_SQL = 'select status from demo.subscriptions where stripe_subscription_id = $1';

export interface DemoSubject {
  email: string;
  checkout: StripeEvent;
  /** created, updated (past_due), deleted: three states, newest last. */
  lifecycle: StripeEvent[];
  subscription: string;
}

/** Whatever Stripe delivers, and however often: Pro is granted once, and the subscription ends in its newest state. */
export function demoProperty(pool: pg.Pool): WebhookFuzzOptions<DemoSubject> {
  return {
    async setup({ email, stripeEvents }) {
      // The subject is a user row. Signing up through the form would cost a scrypt hash per
      // run and test nothing the property is about; e2e/fuzz.spec.ts signs up over HTTP.
      await pool.query("insert into demo.users (email, password_hash) values ($1, 'scrypt$fuzz-subject$no-login')", [email]);
      const checkout = stripeEvents.checkoutCompleted();
      const lifecycle = [stripeEvents.subscriptionCreated('active'), stripeEvents.subscriptionUpdated('past_due'), stripeEvents.subscriptionDeleted()];
      return { subject: { email, checkout, lifecycle, subscription: stripeEvents.subscription }, events: [checkout, ...lifecycle] };
    },
    async invariant({ subject, run, grants, query }) {
      run.expectAppliedOnce(subject.checkout, await grants(subject.email), 'Pro grants');
      const [row] = await query<{ status: string }>(SUBSCRIPTION_SQL, [subject.subscription]);
      run.expectNewestState(subject.lifecycle, row?.status, statusOf, 'the subscription status');
    },
  };
}

export interface DemoStack {
  client: ReplayClient;
  /** How `fuzzWebhooks` reads the demo's state. */
  environment(name: string): FuzzEnvironment;
  close(): Promise<void>;
}

/** The demo app with `bugs` and a replay server forwarding to it, both on `databaseUrl`, each with its own pool. */
export async function startDemoStack(
  databaseUrl: string,
  bugs: readonly DemoBug[],
  { appSecret }: { appSecret?: string } = {},
): Promise<DemoStack & { appPool: pg.Pool }> {
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const appPool = newPool(databaseUrl);
  const replayPool = newPool(databaseUrl);
  // Nothing listens on the discard port: the webhook path never calls Stripe.
  const app = await startDemoApp({ pool: appPool, stripe: { secretKey: 'sk_test_vibes_emulator', emulatorUrl: 'http://127.0.0.1:9' }, webhookSecret: appSecret ?? secret, bugs });
  const server = await startReplayServer({ pool: replayPool, forwardTo: `${app.url}${DEMO_WEBHOOK_PATH}`, secret });
  const client = new ReplayClient(server.url);
  return {
    client,
    appPool,
    environment: (name) => ({
      client,
      name,
      env: {},
      query: async (sql, params) => (await appPool.query(sql, params)).rows,
      grants: async (email) => (await appPool.query<{ n: number }>(GRANTS_SQL, [email])).rows[0]!.n,
    }),
    async close() {
      await server.close();
      await app.close();
      await Promise.all([appPool.end(), replayPool.end()]);
    },
  };
}

function newPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 20 });
  // A dropped test database ends the pool's last connections; that is not an error here.
  pool.on('error', () => {});
  return pool;
}
