/**
 * What a user of playwright-vibes imports: the config, the fixtures and their types, the test
 * cards, and the webhook property tools. The `vibes` command's plumbing (the cleanup ledger, the
 * guard's checks, the app-database opener) lives in its own components and is not part of it.
 */
export { defineVibesConfig } from './config.js';
export { test, expect, type CleanupConfig, type TestUser, type VibesFixtures, type VibesTestOptions, type VibesWorkerOptions } from './fixtures.js';
export type { VibesOptions, AppServer, UserOptions, VibesEnvironment } from './options.js';
export { cards, type TestCard, type Cards } from './cards.js';
export type { Flows, FlowsConfig, FlowsOptions, PayOptions } from './flows.js';
export type { Webhooks, EventMatch } from './webhooks.js';
export type { EntitlementProbe, EntitlementsConfig } from './entitlements.js';
export type { CleanupRegistry } from './cleanup.js';
export { DbQueryError, type AppDatabase, type DbConfig } from '../app-database/index.js';
export type { AppUserCleanup, StripeMode } from '../cleanup/index.js';
export { GuardError, type GuardConfig } from '../guard/index.js';
export { findChromium, chromiumLaunchOptions, SYSTEM_CHROMIUM_ARGS, type ChromiumChoice } from './browser.js';
export { fuzzWebhooks, type WebhookFuzzOptions, type FuzzSetup, type FuzzSetupContext, type FuzzCheck, type FuzzEnvironment, type QueryFn } from './fuzz/run.js';
export { fuzzHandler, type AsyncFunctions, type HandlerFuzzOptions, type HandlerSetupContext, type InProcessRequest } from './fuzz/in-process.js';
export { statusOf, stripeFinalStatus, type RunFacts, type EventFate, type EventRef, type FuzzEvent, type DeliveryRecord } from './fuzz/facts.js';
export { stripeEvents, stripeId, type StripeEventBuilder, type StripeEvent, type StripeEventsOptions, type InvoiceBillingReason } from './fuzz/stripe-events.js';
export { FuzzCounterexampleError } from './fuzz/report.js';
export { FuzzSetupError, FuzzVacuousError, type FuzzResult, type Counterexample } from './fuzz/search.js';
export type { FuzzConfig } from './fuzz/settings.js';
