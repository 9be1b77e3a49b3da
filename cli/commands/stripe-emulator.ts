import { Command, InvalidArgumentError, Option } from 'commander';
import { onShutdown } from '../../core/index.js';
import { DEFAULT_RETRY_SCHEDULE, startStripeEmulator } from '../../stripe-emulator/index.js';
import { MAX_TIMER_MS, parsePort, parsePositiveInt, parseTimeoutMs, parseUrl, wholeNumber } from '../options.js';
import { UsageError } from '../usage-error.js';

const DEFAULT_EMULATOR_PORT = 12111;

interface Flags {
  port: number;
  host: string;
  webhookUrl: string[];
  webhookSecret?: string;
  rateLimit?: number;
  retrySchedule?: number[];
  deliveryTimeout?: number;
  publicUrl?: string;
  businessName?: string;
}

function collectUrl(value: string, previous: string[]): string[] {
  return [...previous, parseUrl(value)];
}

function parseRetrySchedule(value: string): number[] {
  // Digits only: '500,,1000' would otherwise hold a 0 ms delay nobody meant.
  const delays = value.split(',').map((part) => wholeNumber(part.trim()));
  if (delays.length === 0 || !delays.every((ms) => Number.isInteger(ms) && ms >= 0 && ms <= MAX_TIMER_MS)) {
    throw new InvalidArgumentError(`expected comma-separated millisecond delays from 0 to ${MAX_TIMER_MS}, e.g. 500,1000,2000.`);
  }
  return delays;
}

/**
 * `vibes stripe-emulator`: a stateful local subset of the Stripe API, its hosted checkout page
 * and signed webhook delivery, for tests that must run without a network.
 */
export function stripeEmulatorCommand(): Command {
  return new Command('stripe-emulator')
    .description('a local Stripe API subset + hosted checkout page + signed webhooks, for offline tests')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, DEFAULT_EMULATOR_PORT)
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--webhook-url <url>', 'deliver every event here (repeatable), e.g. http://127.0.0.1:4343/webhooks/stripe', collectUrl, [])
    .addOption(new Option('--webhook-secret <whsec>', 'signing secret for --webhook-url deliveries').env('STRIPE_WEBHOOK_SECRET'))
    .option('--rate-limit <n>', 'refuse /v1 requests beyond n per second with 429 (Stripe test mode: 25)', parsePositiveInt)
    .option('--retry-schedule <ms,…>', `delays between webhook delivery attempts (default ${DEFAULT_RETRY_SCHEDULE.join(',')})`, parseRetrySchedule)
    .option('--delivery-timeout <ms>', 'how long a webhook endpoint may take to answer', parseTimeoutMs)
    .option('--public-url <url>', 'base URL of hosted pages when reached under another name', parseUrl)
    .option('--business-name <name>', 'business name shown on the checkout page')
    .addHelpText(
      'after',
      '\nPoint the stripe client at it: new Stripe("sk_test_…", { host: "127.0.0.1", port: 12111, protocol: "http" }).\n' +
        'Test support: POST /_vibes/reset, GET /_vibes/state, GET /_vibes/deliveries.',
    )
    .action(async (flags: Flags, command: Command) => {
      // A secret inherited from the environment (a test run sets STRIPE_WEBHOOK_SECRET for its
      // app) is only a default; without a URL it is unused, not a mistake.
      const secretFromFlag = command.getOptionValueSource('webhookSecret') === 'cli';
      if (flags.webhookUrl.length > 0 && !flags.webhookSecret) {
        throw new UsageError('--webhook-url needs --webhook-secret (or STRIPE_WEBHOOK_SECRET): the whsec_… secret your webhook handler verifies with.');
      }
      if (secretFromFlag && flags.webhookUrl.length === 0) {
        throw new UsageError('--webhook-secret was given without --webhook-url: name the endpoint to deliver events to.');
      }
      if (flags.webhookUrl.length > 0 && flags.webhookSecret && !/^whsec_\S+$/.test(flags.webhookSecret)) {
        throw new UsageError('--webhook-secret must start with whsec_ (the value is not shown here).');
      }
      const emulator = await startStripeEmulator({
        host: flags.host,
        port: flags.port,
        webhooks: flags.webhookUrl.map((url) => ({ url, secret: flags.webhookSecret! })),
        ...(flags.rateLimit !== undefined ? { rateLimit: flags.rateLimit } : {}),
        ...(flags.retrySchedule ? { retrySchedule: flags.retrySchedule } : {}),
        ...(flags.deliveryTimeout !== undefined ? { deliveryTimeoutMs: flags.deliveryTimeout } : {}),
        ...(flags.publicUrl ? { publicUrl: flags.publicUrl.replace(/\/$/, '') } : {}),
        ...(flags.businessName ? { businessName: flags.businessName } : {}),
      });
      onShutdown(() => emulator.close());
      console.log(`listening on ${emulator.url}`);
      await new Promise(() => {}); // until a signal stops it
    });
}
