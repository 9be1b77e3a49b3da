/** Where a run's Stripe objects live: the emulator (gone with its process) or a test-mode account. */
export type StripeMode = 'emulator' | 'test-mode';

/**
 * The Stripe an environment points at: the emulator at STRIPE_EMULATOR_URL when one is named, else
 * test mode when STRIPE_SECRET_KEY is set, else none (a run then starts an emulator of its own).
 * One rule for the config, the fixtures, `vibes sweep` and `vibes doctor` (a config's `stripe.mode`
 * overrides it for its run; each ledger entry records the Stripe it was made in either way).
 */
export function stripeModeOf(env: NodeJS.ProcessEnv = process.env): StripeMode | undefined {
  if (env.STRIPE_EMULATOR_URL) return 'emulator';
  return env.STRIPE_SECRET_KEY ? 'test-mode' : undefined;
}
