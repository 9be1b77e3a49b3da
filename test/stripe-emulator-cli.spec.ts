import { randomBytes } from 'node:crypto';
import { test, expect } from '@playwright/test';
import Stripe from 'stripe';
import { emulatorStripeConfig } from '../stripe-emulator/index.js';
import { runVibes, startVibes } from './support/cli.js';
import { startWebhookReceiver } from './support/emulator-receiver.js';

test.describe('vibes stripe-emulator', () => {
  test('prints its URL, serves the stripe client and delivers to --webhook-url signed with --webhook-secret', async () => {
    const hook = await startWebhookReceiver();
    const running = await startVibes(['stripe-emulator', '--port', '0', '--webhook-url', hook.url, '--webhook-secret', hook.secret, '--business-name', 'Acme Widgets']);
    try {
      expect(running.output()).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      const stripe = new Stripe('sk_test_cli', emulatorStripeConfig(running.url));
      const customer = await stripe.customers.create({ email: 'cli@example.com' });
      await hook.waitFor((d) => d.some((x) => x.event?.type === 'customer.created'));
      expect((hook.events('customer.created')[0]!.data.object as Stripe.Customer).id).toBe(customer.id);

      const product = await stripe.products.create({ name: 'Gadget' });
      const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 999 });
      const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: price.id, quantity: 1 }], success_url: 'https://app.example/ok' });
      expect(session.url).toBe(`${running.url}/c/pay/${session.id}`);
      const page = await fetch(session.url!).then((r) => r.text());
      expect(page).toContain('Acme Widgets');
      expect(page).toContain('$9.99');
      expect(running.output()).not.toContain(hook.secret);
    } finally {
      expect(await running.stop()).not.toBeNull();
      await hook.close();
    }
  });

  test('--rate-limit answers 429 beyond the limit', async () => {
    const running = await startVibes(['stripe-emulator', '--port', '0', '--rate-limit', '2']);
    try {
      const stripe = new Stripe('sk_test_cli', emulatorStripeConfig(running.url));
      const results = await Promise.allSettled([1, 2, 3, 4].map(() => stripe.customers.list()));
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.constructor.name)).toEqual(['StripeRateLimitError', 'StripeRateLimitError']);
    } finally {
      await running.stop();
    }
  });

  test('refuses a webhook URL without a secret, and a secret that is not whsec_, without printing it', async () => {
    const noSecret = await runVibes(['stripe-emulator', '--port', '0', '--webhook-url', 'http://127.0.0.1:9/hook'], { env: { STRIPE_WEBHOOK_SECRET: '' } });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--webhook-url needs --webhook-secret');
    const secret = `sk_test_${randomBytes(8).toString('hex')}`;
    const wrong = await runVibes(['stripe-emulator', '--port', '0', '--webhook-url', 'http://127.0.0.1:9/hook', '--webhook-secret', secret]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('must start with whsec_');
    expect(wrong.stderr + wrong.stdout).not.toContain(secret);
    const badUrl = await runVibes(['stripe-emulator', '--webhook-url', 'not-a-url', '--webhook-secret', 'whsec_x']);
    expect(badUrl.code).not.toBe(0);
    expect(badUrl.stderr).toContain('expected an absolute http(s) URL');
  });
});

test('emulatorStripeConfig points the stripe client at an emulator named by http or https (one behind a TLS proxy), IPv6 included', () => {
  expect(emulatorStripeConfig('http://127.0.0.1:12111')).toEqual({ host: '127.0.0.1', port: 12111, protocol: 'http' });
  expect(emulatorStripeConfig('https://stripe-emulator.internal')).toEqual({ host: 'stripe-emulator.internal', port: 443, protocol: 'https' });
  expect(emulatorStripeConfig('http://[::1]')).toEqual({ host: '::1', port: 80, protocol: 'http' });
});
