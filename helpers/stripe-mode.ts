import type { StripeMode } from './ledger.js';

/**
 * The Stripe an environment points at: the emulator at STRIPE_EMULATOR_URL when one is named, else
 * test mode when STRIPE_SECRET_KEY is set, else none (a run then starts an emulator of its own).
 * One rule for the config, the fixtures, `vibes sweep` and `vibes doctor`, so that what a run
 * creates and what a later sweep removes are always looked for in the same Stripe.
 */
export function stripeModeOf(env: NodeJS.ProcessEnv = process.env): StripeMode | undefined {
  if (env.STRIPE_EMULATOR_URL) return 'emulator';
  return env.STRIPE_SECRET_KEY ? 'test-mode' : undefined;
}
