import { randomWebhookSecret } from '../core/index.js';
import Stripe from 'stripe';
import type { SignatureMode, SignatureVerdict } from './types.js';

const webhooks = Stripe.webhooks;

/** Stripe refuses a signature whose timestamp is older than this many seconds. */
export const STRIPE_TOLERANCE_SECONDS = webhooks.DEFAULT_TOLERANCE;
// Far enough past the tolerance that a clock a little off on either side still sees it as stale.
const OUT_OF_TOLERANCE_SECONDS = STRIPE_TOLERANCE_SECONDS + 120;

/** Verifies the header the way the app's own `stripe.webhooks.constructEvent` does. */
export function verifySignature(raw: Uint8Array, header: string | undefined, secret: string | undefined): SignatureVerdict {
  if (!secret) return 'unchecked';
  if (!header) return 'missing';
  try {
    webhooks.signature!.verifyHeader(raw, header, secret);
    return 'valid';
  } catch {
    return 'invalid';
  }
}

/** A Stripe-Signature for `raw`, signed now by the stripe library's own signer. */
function freshSignature(raw: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return webhooks.generateTestHeaderString({ payload: raw, secret, timestamp: nowSeconds });
}

export interface SigningContext {
  raw: string;
  /** The server's secret; modes other than `original` and `missing` need it. */
  secret: string | undefined;
  /** The Stripe-Signature the event arrived with, if any. */
  original: string | undefined;
}

/** Whether a mode can be honoured with what the server knows; a message saying what is missing if not. */
export function signingProblem(mode: SignatureMode, secret: string | undefined): string | undefined {
  if (mode === 'original' || mode === 'missing' || mode === 'wrong-secret' || secret) return undefined;
  return `signature "${mode}" needs the webhook signing secret: start the replay server with --secret whsec_… (the one your app verifies with).`;
}

/** The Stripe-Signature header to send for one copy, or undefined to send none. */
export function signatureHeader(mode: SignatureMode, { raw, secret, original }: SigningContext): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'fresh':
      return freshSignature(raw, secret!, now);
    case 'original':
      return original;
    case 'stale':
      return freshSignature(raw, secret!, now - OUT_OF_TOLERANCE_SECONDS);
    case 'future':
      return freshSignature(raw, secret!, now + OUT_OF_TOLERANCE_SECONDS);
    case 'wrong-secret':
      return freshSignature(raw, randomWebhookSecret(), now);
    case 'missing':
      return undefined;
  }
}
