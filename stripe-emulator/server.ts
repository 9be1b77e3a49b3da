import { createServer } from 'node:http';
import { httpUrl, listen } from '../core/index.js';
import { Clock } from './clock.js';
import type { Emulator, EmulatorConfig } from './context.js';
import { EventBus } from './events.js';
import { createApp } from './http/app.js';
import { IdempotencyCache } from './http/idempotency.js';
import { SlidingWindowLimiter } from './http/rate-limit.js';
import { createWebhookEndpoint, type WebhookEndpoint } from './resources/webhook-endpoints.js';
import { Store } from './store.js';
import { registerVibesRoutes } from './vibes-routes.js';
import { DEFAULT_DELIVERY_TIMEOUT_MS, DEFAULT_RETRY_SCHEDULE, WebhookDeliverer } from './webhooks.js';

export interface StripeEmulatorOptions {
  /** Interface to bind; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Endpoints every event is delivered to, signed with their secret (like `--webhook-url`). */
  webhooks?: { url: string; secret: string }[];
  /** Requests per second allowed on /v1/* (Stripe test mode allows 25); off by default. */
  rateLimit?: number;
  /** Milliseconds between delivery attempts; `DEFAULT_RETRY_SCHEDULE` compresses Stripe's. */
  retrySchedule?: number[];
  /** How long a webhook endpoint may take to answer before the attempt counts as failed. */
  deliveryTimeoutMs?: number;
  /** Base URL for hosted pages when the emulator is reached under another name than it binds. */
  publicUrl?: string;
  /** The business name the hosted checkout page shows. */
  businessName?: string;
}

export interface RunningStripeEmulator {
  /** `http://host:port`, for `emulatorStripeConfig(url)` and `/_vibes/*`. */
  url: string;
  close(): Promise<void>;
  /** Forgets every object, event, delivery and idempotency key (as `POST /_vibes/reset`). */
  reset(): void;
}

function validateOptions(options: StripeEmulatorOptions): void {
  for (const [i, hook] of (options.webhooks ?? []).entries()) {
    if (!httpUrl(hook.url)) {
      throw new Error(`webhooks[${i}].url must be an absolute http(s) URL such as http://127.0.0.1:3000/webhooks/stripe, got "${hook.url}".`);
    }
    if (!/^whsec_\S+$/.test(hook.secret ?? '')) {
      throw new Error(`webhooks[${i}].secret must be a webhook signing secret starting with whsec_ (the value is not shown here).`);
    }
  }
  if (options.rateLimit !== undefined && !(Number.isInteger(options.rateLimit) && options.rateLimit > 0)) {
    throw new Error(`rateLimit must be a positive whole number of requests per second, got ${options.rateLimit}.`);
  }
  if (options.retrySchedule && !options.retrySchedule.every((ms) => Number.isFinite(ms) && ms >= 0)) {
    throw new Error('retrySchedule must list non-negative millisecond delays, e.g. [500, 1000, 2000].');
  }
  if (options.publicUrl !== undefined) {
    try {
      new URL(options.publicUrl);
    } catch {
      throw new Error(`publicUrl must be an absolute URL such as http://localhost:12111, got "${options.publicUrl}".`);
    }
  }
}

/**
 * Starts the emulator: a stateful, in-memory subset of the Stripe API that the unmodified
 * `stripe` client talks to (see `emulatorStripeConfig`), hosted checkout pages, and webhook
 * delivery signed as Stripe signs it.
 */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<RunningStripeEmulator> {
  validateOptions(options);
  const store = new Store();
  const clock = new Clock();
  const config: EmulatorConfig = { publicUrl: '', businessName: options.businessName ?? 'Vibes Test Shop' };
  let events: EventBus | undefined;
  const deliverer = new WebhookDeliverer({
    retrySchedule: options.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    timeoutMs: options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS,
    onDelivered: (eventId) => events?.delivered(eventId),
    isEnabled: (endpointId) => (store.collections.webhookEndpoints.get(endpointId) as WebhookEndpoint | undefined)?.status === 'enabled',
  });
  events = new EventBus(store, clock, deliverer, (id) => store.webhookSecrets.get(id));
  const emulator: Emulator = { store, clock, events, config };
  const idempotency = new IdempotencyCache();
  const limiter = options.rateLimit ? new SlidingWindowLimiter(options.rateLimit) : null;

  const addConfiguredWebhooks = (): void => {
    for (const hook of options.webhooks ?? []) createWebhookEndpoint(emulator, { url: hook.url, secret: hook.secret, description: 'configured at start' });
  };
  const reset = (): void => {
    deliverer.reset();
    store.clear();
    idempotency.reset();
    limiter?.reset();
    addConfiguredWebhooks();
  };
  addConfiguredWebhooks();

  const app = createApp({
    emulator,
    idempotency,
    limiter,
    registerVibesRoutes: (router) => registerVibesRoutes(router, emulator, deliverer, reset),
  });
  const listening = await listen(createServer(app), { host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  config.publicUrl = (options.publicUrl ?? listening.url).replace(/\/+$/, '');
  return {
    url: listening.url,
    reset,
    async close() {
      deliverer.close();
      await listening.close();
    },
  };
}
