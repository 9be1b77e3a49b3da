import Stripe from 'stripe';
import { emulatorStripeConfig, startStripeEmulator, type RunningStripeEmulator, type StripeEmulatorOptions } from '../../stripe-emulator/index.js';

export interface EmulatorHarness {
  emulator: RunningStripeEmulator;
  stripe: Stripe;
  close(): Promise<void>;
}

/** An emulator on a free port and the real `stripe` client pointed at it. */
export async function startEmulatorHarness(options: StripeEmulatorOptions = {}): Promise<EmulatorHarness> {
  const emulator = await startStripeEmulator(options);
  const stripe = new Stripe(`sk_test_${Math.random().toString(36).slice(2)}`, emulatorStripeConfig(emulator.url));
  return { emulator, stripe, close: () => emulator.close() };
}

/** A recurring monthly price (and its product) to subscribe to. */
export async function monthlyPrice(stripe: Stripe, amount = 2000): Promise<Stripe.Price> {
  const product = await stripe.products.create({ name: 'Pro plan' });
  return stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: amount, recurring: { interval: 'month' } });
}

export async function oneTimePrice(stripe: Stripe, amount = 4900): Promise<Stripe.Price> {
  const product = await stripe.products.create({ name: 'Lifetime pass' });
  return stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: amount });
}

export interface CardForm {
  cardNumber: string;
  email?: string;
  cardExpiry?: string;
  cardCvc?: string;
  billingName?: string;
  billingPostalCode?: string;
}

/**
 * Submits the hosted checkout form over HTTP, as the page's form does without a browser; answers
 * with the status and `Location` of the emulator's response.
 */
export async function submitCheckoutForm(sessionUrl: string, form: CardForm): Promise<{ status: number; location: string | null }> {
  const response = await fetch(sessionUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      cardExpiry: '12 / 40',
      cardCvc: '123',
      billingName: 'Vibes Tester',
      billingCountry: 'US',
      billingPostalCode: '10001',
      ...form,
    }),
  });
  await response.arrayBuffer();
  return { status: response.status, location: response.headers.get('location') };
}

/** The text of the hosted page (to read what it would show after a submit). */
export async function checkoutPageText(sessionUrl: string): Promise<string> {
  const response = await fetch(sessionUrl);
  return response.text();
}
