/**
 * The cleanup ledger and what removes its entries: one Postgres row per thing a test made, written
 * when it is made, and removed by the test's teardown or, after a crash, by the next run's sweep
 * or `vibes sweep`. The fixtures and the command share it; neither reads the other's code.
 */
export { Ledger, type LedgerEntry } from './ledger.js';
export { sweepEntries, findStrayStripeCustomers, removeStrays, type SweepProgress, type SweepResult } from './sweep.js';
export { removeByKind, removeStripeCustomers, type AppUserCleanup, type RemovableKind, type RemoverContext } from './removers.js';
export { StripeRateLimiter, type RateLimitOptions } from './rate-limit.js';
export { stripeClientFor, stripeModeOf, type StripeMode } from './stripe-mode.js';
