/**
 * The `Stripe` constructor options that point the real client at the emulator:
 * `new Stripe('sk_test_…', emulatorStripeConfig(url))`. The client's own retry behaviour is
 * left as it is (it retries 409s and 5xx, not 429 rate limits).
 */
export function emulatorStripeConfig(url: string): { host: string; port: number; protocol: 'http' | 'https' } {
  const parsed = new URL(url);
  // An emulator behind a TLS proxy (a compose stack, a shared CI service) is named by https.
  const protocol = parsed.protocol === 'https:' ? 'https' : 'http';
  const port = parsed.port ? Number(parsed.port) : protocol === 'https' ? 443 : 80;
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port, protocol };
}
