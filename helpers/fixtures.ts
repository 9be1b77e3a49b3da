import { randomBytes } from 'node:crypto';
import { test as base, expect as baseExpect } from '@playwright/test';
import Stripe from 'stripe';
import { ReplayClient } from '../replay-server/index.js';
import { emulatorStripeConfig } from '../stripe-emulator/index.js';
import { databaseUrlFromEnv, findRunningEmbeddedPostgres } from '../postgres/index.js';
import { findChromium } from './browser.js';
import { cards, type Cards } from './cards.js';
import { CleanupRegistry } from './cleanup.js';
import { EntitlementProbe, type EntitlementsConfig } from './entitlements.js';
import { Flows, resolveFlowsConfig, type FlowsConfig } from './flows.js';
import { vibesMatchers } from './matchers.js';
import type { UserOptions, VibesEnvironment } from './options.js';
import { currentRunId, testIdentity } from './run.js';
import { Webhooks } from './webhooks.js';

export interface TestUser {
  email: string;
  password: string;
  /** Unique per run, worker, test and retry; also the `+tag` of the email. */
  tag: string;
  run: string;
}

/** Knobs that belong to tests: set them in `use` (config, project or `test.use`). */
export interface VibesTestOptions {
  flowsConfig: Partial<FlowsConfig> | undefined;
  entitlementsConfig: EntitlementsConfig | undefined;
  userOptions: UserOptions;
}

export interface VibesWorkerOptions {
  vibes: VibesEnvironment;
}

export interface VibesFixtures {
  user: TestUser;
  flows: Flows;
  cards: Cards;
  webhooks: Webhooks;
  entitlements: EntitlementProbe;
  cleanup: CleanupRegistry;
  /** The `stripe` client, pointed at the emulator or at Stripe test mode. */
  stripe: Stripe;
}

const EMULATOR_KEY = 'sk_test_vibes_emulator';
/** Stripe delivers within seconds; a webhook that takes longer is itself worth a failure. */
const WAIT_FOR_TIMEOUT = 15_000;

function environmentFromEnv(): VibesEnvironment {
  const emulatorUrl = process.env.STRIPE_EMULATOR_URL;
  return {
    runId: currentRunId(),
    replayServerUrl: process.env.VIBES_REPLAY_URL ?? 'http://127.0.0.1:4545',
    stripeMode: process.env.STRIPE_SECRET_KEY && !emulatorUrl ? 'test-mode' : 'emulator',
    emulatorUrl,
  };
}

export const test = base.extend<VibesTestOptions & VibesFixtures, VibesWorkerOptions>({
  vibes: [environmentFromEnv(), { option: true, scope: 'worker' }],
  flowsConfig: [undefined, { option: true }],
  entitlementsConfig: [undefined, { option: true }],
  userOptions: [{}, { option: true }],

  // A missing browser gets a message that says what to install, not a stack trace.
  launchOptions: [
    async ({ launchOptions, browserName }, use) => {
      if (browserName === 'chromium' && !launchOptions.executablePath) {
        const choice = findChromium();
        if (choice.kind === 'missing') throw new Error(choice.message);
      }
      await use(launchOptions);
    },
    { scope: 'worker' },
  ],

  cleanup: [
    async ({}, use, testInfo) => {
      const registry = new CleanupRegistry();
      await use(registry);
      await registry.runAndReport(testInfo);
    },
    { box: true },
  ],

  stripe: async ({ vibes }, use) => {
    const key = process.env.STRIPE_SECRET_KEY;
    if (vibes.stripeMode === 'emulator') {
      await use(new Stripe(key?.startsWith('sk_test_') ? key : EMULATOR_KEY, emulatorStripeConfig(vibes.emulatorUrl!)));
    } else {
      if (!key) throw new Error('Stripe test mode needs STRIPE_SECRET_KEY (sk_test_…) in .env.test or the environment.');
      await use(new Stripe(key));
    }
  },

  user: [
    async ({ userOptions, cleanup, stripe }, use, testInfo) => {
      const { tag, run } = testIdentity(testInfo);
      const email = `${userOptions.emailPrefix ?? 'vibes'}+${tag}@${userOptions.emailDomain ?? 'example.com'}`.toLowerCase();
      const user: TestUser = { email, password: `pw-${randomBytes(12).toString('base64url')}`, tag, run };
      // Registered before the test can fail: whatever Stripe made for this email goes afterwards.
      cleanup.defer(`Stripe customers of ${email}`, () => removeStripeCustomers(stripe, email), { kind: 'stripe-customers', id: email });
      await use(user);
    },
    { box: true },
  ],

  flows: async ({ page, flowsConfig }, use) => {
    await use(new Flows(page, resolveFlowsConfig(flowsConfig)));
  },

  cards: async ({}, use) => {
    await use(cards);
  },

  webhooks: [
    async ({ vibes, user }, use, testInfo) => {
      const client = new ReplayClient(vibes.replayServerUrl, { token: process.env.VIBES_REPLAY_TOKEN });
      const webhooks = new Webhooks(client, WAIT_FOR_TIMEOUT, { email: user.email, run: user.run });
      await use(webhooks);
      await webhooks.attachTimeline(testInfo).catch(() => {});
    },
    { box: true },
  ],

  entitlements: [
    async ({ entitlementsConfig, webhooks }, use) => {
      const probe = new EntitlementProbe(entitlementsConfig, defaultDatabaseUrl);
      Object.assign(probe, { timelineText: () => webhooks.timelineText() });
      await use(probe);
      await probe.dispose();
    },
    { box: true },
  ],
});

export const expect = baseExpect.extend(vibesMatchers);

async function defaultDatabaseUrl(): Promise<string> {
  const fromEnv = databaseUrlFromEnv();
  if (fromEnv) return fromEnv;
  const embedded = await findRunningEmbeddedPostgres();
  if (embedded) return embedded.url;
  throw new Error('No database for the entitlements probe: set entitlements.databaseUrl, VIBES_DATABASE_URL or DATABASE_URL.');
}

async function removeStripeCustomers(stripe: Stripe, email: string): Promise<void> {
  const customers = await stripe.customers.list({ email, limit: 100 });
  for (const customer of customers.data) await stripe.customers.del(customer.id);
}
