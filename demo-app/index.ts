export { startDemoApp, type DemoAppOptions, type RunningDemoApp } from './server.js';
export { DEMO_BUGS, parseDemoBugs, UnknownDemoBugError, type DemoBug } from './bugs.js';
export { DEMO_SCHEMA, demoMigrations } from './migrations.js';
export { RACE_WINDOW_MS } from './events.js';
export type { DemoStripeOptions } from './stripe-client.js';
