export { defineVibesConfig } from './config.js';
export { test, expect, type TestUser, type VibesFixtures, type VibesTestOptions, type VibesWorkerOptions } from './fixtures.js';
export { cards, type TestCard, type Cards } from './cards.js';
export { Flows, defaultFlowsConfig, type FlowsConfig, type FlowsOptions, type PayOptions } from './flows.js';
export { Webhooks, type EventMatch } from './webhooks.js';
export { EntitlementProbe, type EntitlementsConfig } from './entitlements.js';
export { CleanupRegistry } from './cleanup.js';
export { AppDatabase, DbQueryError, type DbConfig, type ResolvedDatabase } from './db.js';
export { findChromium, chromiumLaunchOptions, SYSTEM_CHROMIUM_ARGS, type ChromiumChoice } from './browser.js';
export type { VibesOptions, AppServer, UserOptions, VibesEnvironment } from './options.js';
export {
  checkTarget, assertSafeTarget, formatRefusals, GuardError, type GuardConfig, type GuardCheck, type NamedUrl, type Refusal,
  loadTestEnv, describeSource, shellEnvironment, TEST_ENV_FILES, type EnvSource,
} from '../guard/index.js';
export { Ledger, type LedgerEntry } from './ledger.js';
export type { StripeMode } from './stripe-mode.js';
export { stripeModeOf } from './stripe-mode.js';
export { DEPLOYMENT_CHECK_ENV } from './deployment-check.js';
export { sweepEntries, findStrayStripeCustomers, removeStrays, type SweepProgress, type SweepResult } from './sweep.js';
export { StripeRateLimiter, type RateLimitOptions } from './rate-limit.js';
export { removeStripeCustomers, type AppUserCleanup, type RemoverContext } from './removers.js';
export { stripeClientFor, type CleanupConfig } from './fixtures.js';
export { appDatabases, appFileDatabaseNotice, defaultDatabaseUrl, type OpenAppDatabase } from './databases.js';
export { fuzzWebhooks, DEFAULT_SETTLE_MS, type WebhookFuzzOptions, type FuzzSetup, type FuzzSetupContext, type FuzzCheck, type FuzzEnvironment, type QueryFn } from './fuzz/run.js';
export { fuzzHandler, type AsyncFunctions, type HandlerFuzzOptions, type HandlerSetupContext, type InProcessRequest } from './fuzz/in-process.js';
export { RunFacts, InvariantViolation, statusOf, stripeFinalStatus, type EventFate, type EventRef, type FuzzEvent, type DeliveryRecord } from './fuzz/facts.js';
export { stripeEvents, stripeId, StripeEventBuilder, type StripeEvent, type StripeEventsOptions, type InvoiceBillingReason } from './fuzz/stripe-events.js';
export { FORGED_SIGNATURES } from './fuzz/plan.js';
export { FuzzCounterexampleError, formatCounterexample, assertNoCounterexample } from './fuzz/report.js';
export { FuzzSetupError, type FuzzResult, type Counterexample } from './fuzz/search.js';
export { DEFAULT_NUM_RUNS, FUZZ_ENV, type FuzzConfig } from './fuzz/settings.js';
