import Stripe from 'stripe';
import { EMULATOR_SECRET_KEY } from '../core/index.js';
import { emulatorStripeConfig } from '../stripe-emulator/index.js';

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

/** The `stripe` client for the run: the emulator's, or test mode's with STRIPE_SECRET_KEY. */
export function stripeClientFor(vibes: { stripeMode: StripeMode; emulatorUrl?: string }): Stripe {
  const key = process.env.STRIPE_SECRET_KEY;
  if (vibes.stripeMode === 'emulator') {
    if (!vibes.emulatorUrl) throw new Error('Stripe emulator mode needs STRIPE_EMULATOR_URL (defineVibesConfig sets it when it starts the emulator).');
    return new Stripe(key?.startsWith('sk_test_') ? key : EMULATOR_SECRET_KEY, { ...emulatorStripeConfig(vibes.emulatorUrl), maxNetworkRetries: 2 });
  }
  if (!key) throw new Error('Stripe test mode needs STRIPE_SECRET_KEY (sk_test_…) in .env.test or the environment.');
  return new Stripe(key, { maxNetworkRetries: 2 });
}
