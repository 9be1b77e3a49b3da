export { defineVibesConfig } from './config.js';
export { test, expect, type TestUser, type VibesFixtures, type VibesTestOptions, type VibesWorkerOptions } from './fixtures.js';
export { cards, type TestCard, type Cards } from './cards.js';
export { Flows, defaultFlowsConfig, type FlowsConfig, type PayOptions } from './flows.js';
export { Webhooks, type EventMatch } from './webhooks.js';
export { EntitlementProbe, type EntitlementsConfig } from './entitlements.js';
export { CleanupRegistry } from './cleanup.js';
export { findChromium, chromiumLaunchOptions, SYSTEM_CHROMIUM_ARGS, type ChromiumChoice } from './browser.js';
export type { VibesOptions, AppServer, UserOptions, VibesEnvironment } from './options.js';
