export { startDemoApp, type DemoAppOptions, type RunningDemoApp } from './server.js';
export { DEMO_BUGS, parseDemoBugs, type DemoBug } from './bugs.js';
export type { DemoStripeOptions } from './stripe-client.js';
