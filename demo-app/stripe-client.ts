import Stripe from 'stripe';

export interface DemoStripeOptions {
  /** `sk_test_…` for Stripe test mode; any key the emulator accepts when `emulatorUrl` is set. */
  secretKey: string;
  /** Base URL of a Stripe emulator (`http://127.0.0.1:12111`); without it the client talks to api.stripe.com. */
  emulatorUrl?: string;
}

/** Live keys move real money; the demo app is a test target and refuses them outright. */
function assertNotLiveKey(secretKey: string): void {
  if (/^(sk|rk)_live_/.test(secretKey)) {
    throw new Error('refusing a live Stripe key: the demo app runs against Stripe test mode (sk_test_…) or the emulator only.');
  }
}

/** The stripe client, unmodified, pointed at the emulator when one is given (host, port, protocol). */
export function createStripeClient({ secretKey, emulatorUrl }: DemoStripeOptions): Stripe {
  assertNotLiveKey(secretKey);
  const appInfo = { name: 'vibes-demo-app' };
  if (!emulatorUrl) return new Stripe(secretKey, { appInfo });
  const url = new URL(emulatorUrl);
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Stripe(secretKey, {
    appInfo,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || (protocol === 'https' ? 443 : 80),
    protocol,
  });
}
