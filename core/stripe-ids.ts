import { randomBytes } from 'node:crypto';

/** The key the preset gives clients of its Stripe emulator when none is set: any test-mode key works there. */
export const EMULATOR_SECRET_KEY = 'sk_test_vibes_emulator';

/** A webhook signing secret of Stripe's shape (`whsec_…`): a run's own, or one no app knows. */
export function randomWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** An event id of Stripe's shape (`evt_…`), for an event that did not come from Stripe. */
export function randomEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}
