import type { Delivery } from '../replay-server/index.js';

/** Copies signed as Stripe signs them: the event's own signature, or a fresh one with the secret. */
const GENUINE_SIGNATURES: ReadonlySet<string> = new Set(['fresh', 'original']);

export function isGenuine(delivery: Delivery): boolean {
  return GENUINE_SIGNATURES.has(delivery.signature);
}

/** The app took it: a 2xx answer. */
export function isAccepted(delivery: Delivery): boolean {
  return delivery.status !== null && delivery.status >= 200 && delivery.status < 300;
}
