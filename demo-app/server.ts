import { createServer } from 'node:http';
import type pg from 'pg';
import { listen } from '../core/index.js';
import { migrate } from '../postgres/index.js';
import { createDemoApp } from './app.js';
import { ProPrice } from './billing.js';
import { BugSwitches, type DemoBug } from './bugs.js';
import { DEMO_COMPONENT, DEMO_SCHEMA, demoMigrations } from './migrations.js';
import { createStripeClient, type DemoStripeOptions } from './stripe-client.js';

export interface DemoAppOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port (the real one is in `url`). */
  port?: number;
  /** The app's database; its tables live in the schema `demo`, migrated on start. */
  pool: pg.Pool;
  stripe: DemoStripeOptions;
  /** The endpoint's signing secret (`whsec_…`) that webhook signatures are checked against. */
  webhookSecret: string;
  /** Planted bugs to switch on; none means the correct app. */
  bugs?: readonly DemoBug[];
  /** The address browsers use, for Checkout's success and cancel URLs. Default: the listening URL. */
  publicUrl?: string;
  /**
   * The test run that started the app (VIBES_RUN_ID): stamped as `metadata.vibes_run` on what it
   * makes in Stripe, so the replay server can tell that run's events (`--run`, `{ run }`).
   */
  runId?: string;
}

export interface RunningDemoApp {
  url: string;
  /** The planted bugs that are on. */
  bugs: DemoBug[];
  /** Stops the HTTP server; the pool belongs to the caller and stays open. */
  close(): Promise<void>;
}

export async function startDemoApp(options: DemoAppOptions): Promise<RunningDemoApp> {
  if (!options.webhookSecret) throw new Error('the demo app needs a webhook signing secret (whsec_…) to verify Stripe events.');
  if (!options.stripe.secretKey) throw new Error('the demo app needs a Stripe secret key (sk_test_… or the emulator\'s).');
  const stripe = createStripeClient(options.stripe);
  await migrate(options.pool, { schema: DEMO_SCHEMA, component: DEMO_COMPONENT, migrations: demoMigrations });

  const bugs = new BugSwitches(options.bugs);
  let publicUrl = options.publicUrl?.replace(/\/+$/, '');
  const app = createDemoApp({
    pool: options.pool,
    stripe,
    proPrice: new ProPrice(stripe),
    webhookSecret: options.webhookSecret,
    bugs,
    publicUrl: () => publicUrl!,
    runId: options.runId,
  });
  const listening = await listen(createServer(app), { host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  publicUrl ??= listening.url;
  return { url: listening.url, bugs: bugs.list(), close: listening.close };
}
