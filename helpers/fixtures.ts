import { test as base, expect as baseExpect } from '@playwright/test';
import type Stripe from 'stripe';
import { DEFAULT_REPLAY_URL, ReplayClient } from '../replay-server/index.js';
import { findChromium } from './browser.js';
import { cards, type Cards } from './cards.js';
import { CleanupRegistry } from './cleanup.js';
import { appDatabases, defaultDatabaseUrl, type AppDatabase, type DbConfig, type OpenAppDatabase } from '../app-database/index.js';
import { Ledger, StripeRateLimiter, stripeClientFor, stripeModeOf, type AppUserCleanup, type RemoverContext } from '../cleanup/index.js';
import { configuredTargets } from './targets.js';
import { assertSafeTarget, type GuardConfig } from '../guard/index.js';
import { EntitlementProbe, probeDatabase, type EntitlementsConfig } from './entitlements.js';
import { Flows, resolveFlowsConfig, type FlowsOptions } from './flows.js';
import type { FuzzConfig } from './fuzz/settings.js';
import { vibesMatchers } from './matchers.js';
import type { UserOptions, VibesEnvironment } from './options.js';
import { currentRunId, testIdentity } from './run.js';
import { DEPLOYMENT_CHECK_ENV, tracksAppUsers, unavailableInDeploymentCheck } from './deployment-check.js';
import { testPassword } from './password.js';
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
  flowsConfig: FlowsOptions | undefined;
  entitlementsConfig: EntitlementsConfig | undefined;
  userOptions: UserOptions;
  /** Seed, runs and replay file for `webhooks.fuzz` (VIBES_SEED, VIBES_FUZZ_RUNS, VIBES_FUZZ_REPLAY override). */
  fuzzConfig: FuzzConfig;
  /** Headers added to every browser request to the base URL's origin (and no other). */
  appHeaders: Record<string, string> | undefined;
}

export interface VibesWorkerOptions {
  vibes: VibesEnvironment;
  /** Production hosts to refuse and database hosts to allow (see the safety guard). */
  guardConfig: GuardConfig;
  cleanupConfig: CleanupConfig;
  /** The app's own database (see `db`). */
  dbConfig: DbConfig;
}

export interface CleanupConfig {
  /** How the app's record of a test user is removed after each test (and by `vibes sweep`). */
  appUser?: AppUserCleanup;
  /** Stripe requests per second for removals, shared by all workers (default 20; test mode allows 25). */
  stripeRequestsPerSecond?: number;
  /** How long an app-user or cleanup.defer() removal may take before it fails and the next one runs (default 10,000). */
  removalTimeoutMs?: number;
}

interface InternalWorkerFixtures {
  /** Undefined in a pre-deploy check that does not name the deployment's Stripe. */
  _vibesStripe: Stripe | undefined;
  /** The run's replay server; undefined in a pre-deploy check, which runs none. */
  _vibesReplay: ReplayClient | undefined;
  _vibesLedger: Ledger | undefined;
  _vibesRemovers: RemoverContext;
  _vibesAppDatabase: OpenAppDatabase;
  /** Whether this run records its users for cleanup.appUser (see tracksAppUsers). */
  _vibesTracksAppUsers: boolean;
}

interface InternalTestFixtures {
  _vibesEntitlementProbe: EntitlementProbe;
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
  /** The app's test database, checked by the safety guard before the first statement. */
  db: AppDatabase;
}

/** Stripe delivers within seconds; a webhook that takes longer is itself worth a failure. */
const WAIT_FOR_TIMEOUT = 15_000;

function environmentFromEnv(): VibesEnvironment {
  return {
    runId: currentRunId(),
    // An empty variable is an unset one, as in defineVibesConfig.
    replayServerUrl: process.env.VIBES_REPLAY_URL || DEFAULT_REPLAY_URL,
    stripeMode: stripeModeOf() ?? 'emulator',
    emulatorUrl: process.env.STRIPE_EMULATOR_URL || undefined,
  };
}

export const test = base.extend<VibesTestOptions & VibesFixtures & InternalTestFixtures, VibesWorkerOptions & InternalWorkerFixtures>({
  vibes: [environmentFromEnv(), { option: true, scope: 'worker' }],
  guardConfig: [{}, { option: true, scope: 'worker' }],
  cleanupConfig: [{}, { option: true, scope: 'worker' }],
  dbConfig: [{}, { option: true, scope: 'worker' }],
  flowsConfig: [undefined, { option: true }],
  entitlementsConfig: [undefined, { option: true }],
  userOptions: [{}, { option: true }],
  fuzzConfig: [{}, { option: true }],
  appHeaders: [undefined, { option: true }],

  context: async ({ context, appHeaders, baseURL }, use) => {
    if (appHeaders && baseURL) {
      const origin = new URL(baseURL).origin;
      await context.route(
        (url) => url.origin === origin,
        (route) => route.continue({ headers: { ...route.request().headers(), ...appHeaders } }),
      );
    }
    await use(context);
  },

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

  _vibesStripe: [
    async ({ vibes }, use) => {
      await use(deploymentStripeUnnamed(vibes) ? undefined : stripeClientFor(vibes));
    },
    { scope: 'worker' },
  ],

  _vibesReplay: [
    async ({ vibes }, use) => {
      await use(vibes.replayServerUrl ? new ReplayClient(vibes.replayServerUrl, { token: process.env.VIBES_REPLAY_TOKEN }) : undefined);
    },
    { scope: 'worker' },
  ],

  _vibesLedger: [
    async ({ vibes, guardConfig }, use) => {
      // The ledger migrates and writes its database. defineVibesConfig's guard does not run when a
      // plain Playwright config uses this `test`, so the worker checks before anything is opened.
      assertSafeTarget({ config: guardConfig });
      const url = await defaultDatabaseUrl().catch(() => undefined);
      // Without a database the registry still cleans up after each test; only crash recovery needs it.
      const ledger = url ? await Ledger.open(url, { holdRun: vibes.runId }) : undefined;
      await use(ledger);
      await ledger?.close();
    },
    { scope: 'worker', box: true },
  ],

  // The app's database (db.url, else DATABASE_URL, else the run's) for the db fixture, probes,
  // removals and fuzz invariants; a probe or removal with a databaseUrl of its own uses that.
  _vibesAppDatabase: [
    async ({ dbConfig, guardConfig }, use) => {
      await use(appDatabases({ db: dbConfig, guard: guardConfig }));
    },
    { scope: 'worker' },
  ],

  _vibesTracksAppUsers: [
    async ({ cleanupConfig }, use) => {
      await use(tracksAppUsers(cleanupConfig.appUser));
    },
    { scope: 'worker' },
  ],

  _vibesRemovers: [
    async ({ _vibesStripe, _vibesReplay, _vibesAppDatabase, cleanupConfig, guardConfig, vibes }, use, workerInfo) => {
      const perSecond = (cleanupConfig.stripeRequestsPerSecond ?? 20) / Math.max(1, workerInfo.config.workers);
      await use({
        stripe: _vibesStripe,
        replay: _vibesReplay,
        limiter: new StripeRateLimiter({ perSecond }),
        appUser: cleanupConfig.appUser,
        appDatabase: _vibesAppDatabase,
        stripeMode: vibes.stripeMode,
        emulatorUrl: vibes.emulatorUrl,
        assertSafeUrl: (target) => assertSafeTarget({ config: guardConfig, urls: [target] }),
      });
    },
    { scope: 'worker' },
  ],

  cleanup: [
    async ({ _vibesLedger, _vibesRemovers, _vibesTracksAppUsers, vibes, guardConfig, cleanupConfig, dbConfig, baseURL }, use, testInfo) => {
      const owner = { run: vibes.runId, worker: testInfo.workerIndex, test: testInfo.titlePath.join(' › ') };
      // Checked again here, not only in defineVibesConfig: `test.use` can name another database,
      // or another host for the app-user removal (a DELETE).
      const targets = configuredTargets({ cleanup: cleanupConfig, db: dbConfig }, baseURL);
      const registry = new CleanupRegistry(_vibesLedger, owner, { ..._vibesRemovers, baseURL }, {
        beforeRemoval: () => assertSafeTarget({ config: guardConfig, baseURL, ...targets }),
        // Also when a test tracks an app user itself (see tracksAppUsers); leftovers of earlier
        // runs are swept with the full config.
        leavesAppUsers: !_vibesTracksAppUsers && !!cleanupConfig.appUser,
        removalTimeoutMs: cleanupConfig.removalTimeoutMs,
      });
      await use(registry);
      await registry.runAndReport(testInfo);
    },
    { box: true },
  ],

  stripe: async ({ _vibesStripe }, use) => {
    if (!_vibesStripe) throw unavailableInDeploymentCheck('the stripe fixture', "It needs the deployment's Stripe: set STRIPE_SECRET_KEY to its test-mode key (sk_test_…).");
    await use(_vibesStripe);
  },

  db: [
    async ({ _vibesAppDatabase }, use) => {
      await use(_vibesAppDatabase('db.query'));
    },
    { box: true },
  ],

  user: [
    async ({ userOptions, cleanup, cleanupConfig, _vibesStripe }, use, testInfo) => {
      const { tag, run } = testIdentity(testInfo);
      const email = `${userOptions.emailPrefix ?? 'vibes'}+${tag}@${userOptions.emailDomain ?? 'example.com'}`.toLowerCase();
      const user: TestUser = { email, password: testPassword(), tag, run };
      // Registered before the test can fail: whatever Stripe and the app made for this email goes afterwards.
      // Without the deployment's Stripe (a pre-deploy check, said once by the config) there is nowhere to look.
      if (_vibesStripe) await cleanup.track('stripe-customers', email, `Stripe customers of ${email}`);
      if (cleanupConfig.appUser) await cleanup.track('app-user', email, `app user ${email}`);
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
    async ({ vibes, user, fuzzConfig, entitlementsConfig, cleanup, cleanupConfig, _vibesReplay, _vibesAppDatabase, _vibesEntitlementProbe: probe }, use, testInfo) => {
      const client = _vibesReplay ?? noReplayServer();
      // Invariants read the database the probe counts in.
      const fuzzDatabase = probeDatabase(entitlementsConfig, _vibesAppDatabase, 'fuzz query');
      const webhooks = new Webhooks(client, WAIT_FOR_TIMEOUT, { email: user.email, run: user.run }, {
        testInfo,
        config: fuzzConfig,
        replayServerUrl: vibes.replayServerUrl ?? '',
        // One user per run, named after the test's user so `vibes sweep` and the timeline know it.
        emailFor: (_index, tag) => user.email.replace('@', `-${tag}@`),
        onSubject: cleanupConfig.appUser ? ({ email }) => cleanup.track('app-user', email, `fuzz subject ${email}`) : undefined,
        query: (sql, params) => fuzzDatabase.query(sql, params),
        grants: (email) => probe.count(email),
      });
      await use(webhooks);
      await webhooks.attachTimeline(testInfo).catch(() => {});
    },
    { box: true },
  ],

  // One probe, counted by `webhooks` (fuzz grants) and by the matchers through `entitlements`.
  _vibesEntitlementProbe: [
    async ({ entitlementsConfig, _vibesAppDatabase, guardConfig, baseURL }, use) => {
      await use(new EntitlementProbe(entitlementsConfig, _vibesAppDatabase, (target) => assertSafeTarget({ config: guardConfig, urls: [target] }), baseURL));
    },
    { box: true },
  ],

  entitlements: [
    async ({ _vibesEntitlementProbe: probe, webhooks }, use) => {
      probe.timelineText = () => webhooks.timelineText();
      await use(probe);
    },
    { box: true },
  ],
});

export const expect = baseExpect.extend(vibesMatchers);

/**
 * The replay client of a pre-deploy check, which runs no replay server: `entitlements` still works
 * (its failure messages only lose the timeline), and each webhooks call says why it cannot.
 */
function noReplayServer(): ReplayClient {
  const why = unavailableInDeploymentCheck('webhooks', "Stripe sends the deployment's webhooks to the deployment, and no replay server runs here. " +
    'Leave webhook waits out of the @predeploy tests, or name a replay server the deployment forwards to (VIBES_REPLAY_URL).');
  return new Proxy({} as ReplayClient, { get: (_, name) => (name === 'then' ? undefined : () => Promise.reject(why)) });
}

/** A pre-deploy check in emulator mode with no emulator named: the deployment's Stripe is not this run's. */
function deploymentStripeUnnamed(vibes: VibesEnvironment): boolean {
  return !!process.env[DEPLOYMENT_CHECK_ENV] && vibes.stripeMode === 'emulator' && !vibes.emulatorUrl;
}
