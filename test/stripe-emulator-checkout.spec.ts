import { createServer } from 'node:http';
import { test as base, expect, devices, type Page } from '@playwright/test';
import type Stripe from 'stripe';
import { listen, type Listening } from '../core/index.js';
import { chromiumLaunchOptions } from '../helpers/index.js';
import { monthlyPrice, oneTimePrice, startEmulatorHarness, type EmulatorHarness } from './support/emulator-harness.js';

interface CheckoutFixtures {
  h: EmulatorHarness;
  /** The app the customer returns to: success and cancel pages on loopback. */
  app: Listening;
}

const test = base.extend<CheckoutFixtures>({
  h: async ({}, use) => {
    const h = await startEmulatorHarness({ businessName: 'Acme Widgets' });
    await use(h);
    await h.close();
  },
  app: async ({}, use) => {
    const app = await listen(
      createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://app');
        const heading = url.pathname === '/success' ? `Thanks! Session ${url.searchParams.get('session_id')}` : 'Pricing';
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>App</title><h1>${heading}</h1>`);
      }),
    );
    await use(app);
    await app.close();
  },
});

// The framework project has no browser of its own: this spec brings Chromium (Playwright's or the system's).
test.use({ ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() });

async function subscriptionSession(h: EmulatorHarness, app: Listening, extra: Partial<Stripe.Checkout.SessionCreateParams> = {}): Promise<Stripe.Checkout.Session> {
  const price = await monthlyPrice(h.stripe, 2000);
  return h.stripe.checkout.sessions.create({
    mode: 'subscription',
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: `${app.url}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${app.url}/pricing`,
    customer_email: 'jenny@example.com',
    ...extra,
  });
}

async function paymentSession(h: EmulatorHarness, app: Listening): Promise<Stripe.Checkout.Session> {
  const price = await oneTimePrice(h.stripe, 4900);
  return h.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ price: price.id, quantity: 1 }],
    success_url: `${app.url}/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${app.url}/pricing`,
  });
}

/** What a person does on Stripe Checkout: type the card, the name, the ZIP, press the button. */
async function payWith(page: Page, cardNumber: string, button: 'Pay' | 'Subscribe' | 'Start trial'): Promise<void> {
  await page.getByPlaceholder('1234 1234 1234 1234').fill(cardNumber);
  await page.getByPlaceholder('MM / YY').fill('12 / 34');
  await page.getByPlaceholder('CVC').fill('123');
  await page.getByLabel('Cardholder name').fill('Jenny Rosen');
  await page.getByLabel('ZIP').fill('10001');
  await page.getByRole('button', { name: button }).click();
}

async function eventTypes(h: EmulatorHarness): Promise<string[]> {
  return (await h.stripe.events.list({ limit: 100 })).data.map((e) => e.type);
}

test.describe('stripe-emulator hosted checkout page in Chromium', () => {
  test('shows what Stripe Checkout shows, and a successful card returns to success_url', async ({ page, h, app }) => {
    const session = await subscriptionSession(h, app);
    await page.goto(session.url!);
    await expect(page).toHaveTitle('Acme Widgets');
    await expect(page.getByText('Subscribe to Pro plan')).toBeVisible();
    await expect(page.locator('#ProductSummary-totalAmount')).toHaveText('$20.00');
    await expect(page.getByText('per month')).toBeVisible();
    await expect(page.getByLabel('Email')).toHaveValue('jenny@example.com');
    await expect(page.getByLabel('Email')).not.toBeEditable();
    await expect(page.getByLabel('Card information')).toHaveAttribute('placeholder', '1234 1234 1234 1234');
    await expect(page.getByLabel('Card number')).toHaveAttribute('id', 'cardNumber');
    await expect(page.getByLabel('Expiration')).toHaveAttribute('name', 'cardExpiry');
    await expect(page.getByLabel('CVC')).toHaveAttribute('name', 'cardCvc');
    await expect(page.getByLabel('Cardholder name')).toHaveAttribute('placeholder', 'Full name on card');
    await expect(page.getByTestId('hosted-payment-submit-button')).toHaveAccessibleName('Subscribe');

    // Typing formats as Checkout does.
    await page.getByLabel('Card number').pressSequentially('4242424242424242');
    await expect(page.getByLabel('Card number')).toHaveValue('4242 4242 4242 4242');
    await page.getByLabel('Expiration').pressSequentially('1234');
    await expect(page.getByLabel('Expiration')).toHaveValue('12 / 34');

    await payWith(page, '4242 4242 4242 4242', 'Subscribe');
    await expect(page).toHaveURL(`${app.url}/success?session_id=${session.id}`);
    await expect(page.getByRole('heading', { name: `Thanks! Session ${session.id}` })).toBeVisible();
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(done.status).toBe('complete');
    expect((done.subscription as Stripe.Subscription).status).toBe('active');
    expect(await eventTypes(h)).toContain('checkout.session.completed');
  });

  const declines = [
    ['4000 0000 0000 0002', 'Your card has been declined.', 'card_declined'],
    ['4000 0000 0000 9995', 'Your card has insufficient funds.', 'card_declined'],
    ['4000 0000 0000 0069', 'Your card has expired.', 'expired_card'],
    ['4000 0000 0000 0127', "Your card's security code is incorrect.", 'incorrect_cvc'],
  ] as const;
  for (const [card, message, code] of declines) {
    test(`${card} stays on the page with "${message}" and pays nothing`, async ({ page, h, app }) => {
      const session = await paymentSession(h, app);
      await page.goto(session.url!);
      await expect(page.getByTestId('hosted-payment-submit-button')).toHaveAccessibleName('Pay');
      await page.getByLabel('Email').fill('buyer@example.com');
      await payWith(page, card, 'Pay');
      await expect(page.getByRole('alert')).toHaveText(message);
      await expect(page).toHaveURL(session.url!);
      await expect(page.getByLabel('Email')).toHaveValue('buyer@example.com');
      await expect(page.getByLabel('Card number')).toHaveValue(card);
      const types = await eventTypes(h);
      expect(types).toContain('payment_intent.payment_failed');
      expect(types).not.toContain('checkout.session.completed');
      const intent = await h.stripe.paymentIntents.retrieve((await h.stripe.checkout.sessions.retrieve(session.id)).payment_intent as string);
      expect(intent.last_payment_error?.code).toBe(code);

      // The customer tries another card on the same page, as on Stripe.
      await payWith(page, '4242 4242 4242 4242', 'Pay');
      await expect(page).toHaveURL(`${app.url}/success?session_id=${session.id}`);
      expect((await h.stripe.checkout.sessions.retrieve(session.id)).payment_status).toBe('paid');
    });
  }

  test('3-D Secure: the authentication step appears, and Complete pays', async ({ page, h, app }) => {
    const session = await subscriptionSession(h, app);
    await page.goto(session.url!);
    await payWith(page, '4000 0025 0000 3155', 'Subscribe');
    const challenge = page.frameLocator('iframe[name^="__privateStripeFrame"]').frameLocator('iframe[name="stripe-challenge-frame"]');
    await expect(page.getByRole('dialog', { name: '3D Secure authentication' })).toBeVisible();
    await expect(challenge.getByRole('heading', { name: '3D Secure 2 Test Page' })).toBeVisible();
    expect(await eventTypes(h)).toContain('payment_intent.requires_action');
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await challenge.getByRole('button', { name: 'Complete' }).click();
    await expect(page).toHaveURL(`${app.url}/success?session_id=${session.id}`);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect((done.subscription as Stripe.Subscription).status).toBe('active');
  });

  test('3-D Secure: Fail stays on the page with Stripe\'s authentication message', async ({ page, h, app }) => {
    const session = await subscriptionSession(h, app);
    await page.goto(session.url!);
    await payWith(page, '4000 0025 0000 3155', 'Subscribe');
    await page.frameLocator('iframe[name^="__privateStripeFrame"]').frameLocator('iframe').locator('#test-source-fail-3ds').click();
    await expect(page.getByRole('alert')).toHaveText('We are unable to authenticate your payment method. Please choose a different payment method and try again.');
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(page).toHaveURL(session.url!);
    const failed = (await h.stripe.events.list({ type: 'payment_intent.payment_failed' })).data[0]!.data.object as Stripe.PaymentIntent;
    expect(failed.last_payment_error?.code).toBe('payment_intent_authentication_failure');
    expect(await eventTypes(h)).not.toContain('checkout.session.completed');
  });

  test('a free trial still checks the card: a decline and a failed 3-D Secure stay on the page; a completed one starts the trial', async ({ page, h, app }) => {
    // Nothing is charged today, but Stripe validates the card (a SetupIntent) and applies its behaviour.
    const session = await subscriptionSession(h, app, { subscription_data: { trial_period_days: 14 } });
    await page.goto(session.url!);
    await payWith(page, '4000 0000 0000 0002', 'Start trial');
    await expect(page.getByRole('alert')).toHaveText('Your card has been declined.');
    await expect(page).toHaveURL(session.url!);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');

    const challenge = page.frameLocator('iframe[name^="__privateStripeFrame"]').frameLocator('iframe[name="stripe-challenge-frame"]');
    await payWith(page, '4000 0025 0000 3155', 'Start trial');
    await challenge.getByRole('button', { name: 'Fail' }).click();
    await expect(page.getByRole('alert')).toHaveText('We are unable to authenticate your payment method. Please choose a different payment method and try again.');
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    expect(await eventTypes(h)).not.toContain('checkout.session.completed');

    await payWith(page, '4000 0025 0000 3155', 'Start trial');
    await expect(challenge.getByRole('heading', { name: '3D Secure 2 Test Page' })).toBeVisible();
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    await challenge.getByRole('button', { name: 'Complete' }).click();
    await expect(page).toHaveURL(`${app.url}/success?session_id=${session.id}`);
    const done = await h.stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'no_payment_required' });
    expect((done.subscription as Stripe.Subscription).status).toBe('trialing');
  });

  test('the back arrow returns to cancel_url; invalid fields are refused before any charge', async ({ page, h, app }) => {
    const session = await paymentSession(h, app);
    await page.goto(session.url!);
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect(page.getByText('Your email is incomplete.')).toBeVisible();
    await expect(page.getByText('Your card number is incomplete.')).toBeVisible();
    await page.getByLabel('Email').fill('typo@example');
    await payWith(page, '4242 4242 4242 4241', 'Pay');
    await expect(page.getByText('Your email address is invalid.')).toBeVisible();
    await expect(page.getByText('Your card number is invalid.')).toBeVisible();
    expect((await h.stripe.paymentIntents.list()).data).toHaveLength(0);

    await page.getByRole('link', { name: 'Back' }).click();
    await expect(page).toHaveURL(`${app.url}/pricing`);
    expect((await h.stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
  });

  test('an expired or completed session cannot be paid again', async ({ page, h, app }) => {
    const session = await paymentSession(h, app);
    await h.stripe.checkout.sessions.expire(session.id);
    await page.goto(`${h.emulator.url}/c/pay/${session.id}`);
    await expect(page.getByRole('heading', { name: 'This Checkout Session is no longer active' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Pay' })).toHaveCount(0);
  });
});
