import type { FlowsOptions } from './flows.js';
import type { EntitlementsConfig } from './entitlements.js';
import type { GuardConfig } from '../guard/index.js';
import type { CleanupConfig } from './fixtures.js';
import type { DbConfig } from '../app-database/index.js';
import type { StripeMode } from '../cleanup/index.js';
import type { FuzzConfig } from './fuzz/settings.js';

/** What a user writes in `defineVibesConfig({...})`. Every field is optional. */
export interface VibesOptions {
  /** The app's URL as the browser sees it (a preview URL in a pre-deploy check). */
  baseURL?: string;
  /**
   * The app under test, started by Playwright: a command and the URL that answers once it is
   * ready, or `'demo'` for the bundled demo SaaS. Leave it out when the app is already running.
   */
  app?: AppServer | 'demo';
  stripe?: {
    /**
     * `emulator` (default without a key): the bundled hermetic Stripe, no network, no keys.
     * `test-mode`: real Stripe with STRIPE_SECRET_KEY (sk_test_…), fed by `stripe listen`.
     */
    mode?: StripeMode;
    /** Requests per second the emulator allows before answering 429, as Stripe test mode does (25). */
    rateLimit?: number;
  };
  webhooks?: {
    /** The app's webhook endpoint, where the replay server forwards what it captures. */
    forwardTo?: string;
    /** Port of the replay server (default: a free one; fix it for `stripe listen --forward-to`). */
    port?: number;
    /** Use a replay server you run yourself instead of starting one. */
    replayServerUrl?: string;
    /**
     * A recorded run (`vibes replay-server export --out …`), relative to the config's folder:
     * imported into the replay server this run starts, before the tests, to find with
     * `webhooks.waitFor(type, { run }, { source: 'imported' })` and deliver again. Events already stored are kept.
     */
    import?: string;
  };
  entitlements?: EntitlementsConfig;
  flows?: FlowsOptions;
  user?: UserOptions;
  database?: {
    /** Postgres for the replay server's store and the cleanup ledger (default: VIBES_DATABASE_URL, DATABASE_URL, embedded). */
    url?: string;
  };
  /** The app's own database: the `db` fixture's, and the default of SQL probes and removals. */
  db?: DbConfig;
  /** What the safety guard refuses and allows; it runs before anything is written or deleted. */
  guard?: GuardConfig;
  /** How test data is removed after each test and after a crashed run. */
  cleanup?: CleanupConfig;
  /** Defaults of every `webhooks.fuzz` property: seed, numRuns, replaySchedule (VIBES_SEED, VIBES_FUZZ_RUNS, VIBES_FUZZ_REPLAY win). */
  fuzz?: FuzzConfig;
}

export interface AppServer {
  command: string;
  url: string;
  /** Added to the app's environment; the safety guard checks them like the run's own (`app.env.<NAME>`). */
  env?: Record<string, string>;
  /** Milliseconds to wait for `url` to answer (default 60 s). */
  timeout?: number;
  /**
   * Use an app already answering at `url` instead of starting one. Default: outside CI, and only
   * when a server started elsewhere can take part in the run: Stripe test mode with your own
   * STRIPE_WEBHOOK_SECRET. With the emulator (a new port each run) or a secret made for the run,
   * a dev server you started yourself could not reach the one or verify the other.
   */
  reuseExistingServer?: boolean;
  cwd?: string;
  /** The app's stdout in the run's output, prefixed `[app]` (default `'ignore'`; its stderr is always shown). */
  stdout?: 'pipe' | 'ignore';
}

export interface UserOptions {
  /** Local part before the `+tag` (default `vibes`). */
  emailPrefix?: string;
  /** Default `example.com`, a domain reserved for examples: no mail ever leaves. */
  emailDomain?: string;
}

/** Infrastructure every worker shares: resolved once by `defineVibesConfig`. */
export interface VibesEnvironment {
  runId: string;
  /** Undefined in a pre-deploy check (`vibes predeploy`): Stripe sends the deployment's webhooks to it, and none runs here. */
  replayServerUrl?: string;
  stripeMode: StripeMode;
  /** Undefined in test mode, and in a pre-deploy check whose Stripe is not named (no STRIPE_SECRET_KEY). */
  emulatorUrl?: string;
}
