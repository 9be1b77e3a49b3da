import Stripe from 'stripe';
import { freePort } from '../../core/index.js';
import { emulatorStripeConfig, startStripeEmulator } from '../../stripe-emulator/index.js';
import { randomWebhookSecret } from './demo-events.js';
import { test as base } from './demo-fixtures.js';

export interface DemoStripeFixtures {
  /** The real stripe client on the same emulator as the app, for checking what the app did there. */
  stripe: Stripe;
}

/**
 * The demo app against the Stripe emulator, which delivers its events to the app's webhook
 * endpoint. The emulator needs that URL before the app exists, so the app gets a port up front.
 */
export const test = base.extend<DemoStripeFixtures>({
  demoStripe: async ({}, use) => {
    const appPort = await freePort();
    const webhookSecret = randomWebhookSecret();
    const emulator = await startStripeEmulator({
      webhooks: [{ url: `http://127.0.0.1:${appPort}/api/stripe/webhook`, secret: webhookSecret }],
    });
    try {
      await use({ url: emulator.url, webhookSecret, appPort });
    } finally {
      await emulator.close();
    }
  },
  stripe: async ({ demoStripe }, use) => {
    await use(new Stripe('sk_test_vibes_emulator', emulatorStripeConfig(demoStripe.url)));
  },
});

export { expect } from './demo-fixtures.js';

/** Card fields of the hosted Checkout page, filled as a customer would. */
export interface CheckoutCard {
  number: string;
}

export const VISA: CheckoutCard = { number: '4242 4242 4242 4242' };
export const DECLINED: CheckoutCard = { number: '4000 0000 0000 0002' };

/** Loads the hosted Checkout page and submits the card; answers with Checkout's redirect. */
export async function payOnCheckout(checkoutUrl: string, card: CheckoutCard): Promise<{ page: string; location: string }> {
  const page = await fetch(checkoutUrl);
  if (page.status !== 200) throw new Error(`the Checkout page ${checkoutUrl} answered ${page.status}`);
  const form = new URLSearchParams({
    cardNumber: card.number,
    cardExpiry: `12 / ${(new Date().getUTCFullYear() + 3) % 100}`,
    cardCvc: '123',
    billingName: 'Vibes Test',
    billingCountry: 'US',
    billingPostalCode: '12345',
  });
  const res = await fetch(checkoutUrl, { method: 'POST', body: form, redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) throw new Error(`paying on ${checkoutUrl} answered ${res.status}: ${await res.text()}`);
  const next = new URL(location, checkoutUrl);
  // Paid: a page whose script leaves for success_url, as Stripe's does; that URL is where a browser goes.
  if (next.pathname.endsWith('/complete')) {
    const leaving = await (await fetch(next)).text();
    const target = /location\.replace\(("(?:[^"\\]|\\.)*")\)/.exec(leaving)?.[1];
    if (!target) throw new Error(`the page after paying on ${checkoutUrl} does not send the browser on:\n${leaving}`);
    return { page: await page.text(), location: JSON.parse(target) as string };
  }
  return { page: await page.text(), location: next.toString() };
}
