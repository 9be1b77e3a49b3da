import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Emulator } from '../context.js';
import { API_VERSION } from '../events.js';
import { errors, StripeApiError } from '../errors.js';
import { checkExpandPaths } from '../expand.js';
import { requestId } from '../ids.js';
import { registerCheckoutPages } from '../checkout/routes.js';
import { registerPortalPages } from '../portal/routes.js';
import { registerBillingPortal } from '../resources/billing-portal.js';
import { registerCharges } from '../resources/charges.js';
import { registerCheckoutSessions } from '../resources/checkout-sessions.js';
import { registerCustomers } from '../resources/customers.js';
import { registerEvents } from '../resources/events.js';
import { registerInvoicePayments } from '../resources/invoice-payments.js';
import { registerInvoices } from '../resources/invoices.js';
import { registerTestClocks } from '../resources/test-clocks.js';
import { registerPaymentIntents } from '../resources/payment-intents.js';
import { registerPaymentMethods } from '../resources/payment-methods.js';
import { registerPrices } from '../resources/prices.js';
import { registerProducts } from '../resources/products.js';
import { registerSubscriptions } from '../resources/subscriptions.js';
import { registerWebhookEndpoints } from '../resources/webhook-endpoints.js';
import { requireTestKey } from './auth.js';
import { paramsOf } from './respond.js';
import type { IdempotencyCache } from './idempotency.js';
import type { SlidingWindowLimiter } from './rate-limit.js';

export interface AppParts {
  emulator: Emulator;
  idempotency: IdempotencyCache;
  limiter: SlidingWindowLimiter | null;
  /** The test-support routes under `/_vibes`. */
  registerVibesRoutes(router: express.Router): void;
}

/** Versions whose objects differ from the emulator's: before basil, a subscription's period was its own, not its items'. */
const FIRST_VERSION_OF_THESE_SHAPES = '2025-03-31';
// A date, a release name, and beta flags as stripe-node sends them: `2025-03-31.basil; embedded_connect_beta=v2`.
const API_VERSION_FORMAT = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?(;\s*[a-z0-9_]+=v\d+)*$/;

/**
 * A `Stripe-Version` the emulator cannot answer in is refused when malformed, as Stripe refuses
 * it, and said once when older than the shapes the emulator renders: an app pinned to such a
 * version reads fields (subscription.current_period_end) that are not where it looks. A client
 * that sends none (stripe-python and stripe-ruby unless told) gets the account's default version
 * from Stripe, which the emulator cannot know: said once too.
 */
function checkApiVersion(version: string | undefined, versionsWarnedOf: Set<string>): void {
  if (version === undefined) {
    if (versionsWarnedOf.has('')) return;
    versionsWarnedOf.add('');
    console.warn(
      `stripe-emulator: a client sent no Stripe-Version header. Stripe answers such a request in the account's default API version ` +
        `(set in its Dashboard, often older than the client), the emulator in the shapes of ${API_VERSION}. ` +
        `Pin the version in the app's Stripe client (stripe-python: stripe.api_version = "${API_VERSION}"), so that Stripe answers as the emulator does.`,
    );
    return;
  }
  if (!API_VERSION_FORMAT.test(version)) throw errors.invalidApiVersion(version);
  if (version.slice(0, 10) >= FIRST_VERSION_OF_THESE_SHAPES || versionsWarnedOf.has(version)) return;
  versionsWarnedOf.add(version);
  console.warn(
    `stripe-emulator: a client asks for API version ${version}; the emulator answers in the shapes of ${API_VERSION}. ` +
      `Before ${FIRST_VERSION_OF_THESE_SHAPES}.basil, Stripe's shapes differed: a subscription carried its own current_period_start/end ` +
      `(the emulator's are on its items), and an invoice named its payment_intent (the emulator's is in invoice.payments). ` +
      'Pin a newer apiVersion in the app, or test it in Stripe test mode.',
  );
}

/** Headers Stripe puts on every API answer; events caused by the call record the same request id. */
function stripeHeaders(): RequestHandler {
  const versionsWarnedOf = new Set<string>();
  return (req, res, next) => {
    checkApiVersion(req.get('stripe-version'), versionsWarnedOf);
    const id = requestId();
    const idempotencyKey = req.get('idempotency-key') ?? null;
    res.locals.eventRequest = { id, idempotency_key: req.method === 'POST' ? idempotencyKey : null };
    res.set('Request-Id', id);
    // What the body is in, whatever was asked for: an older version is answered in these shapes.
    res.set('Stripe-Version', API_VERSION);
    if (idempotencyKey && req.method === 'POST') res.set('Idempotency-Key', idempotencyKey);
    res.set('Cache-Control', 'no-cache, no-store');
    next();
  };
}

/** Answers any error in Stripe's shape; an unexpected one is a 500 `api_error`. */
export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  let failure: StripeApiError;
  if (error instanceof StripeApiError) failure = error;
  else if (typeof error === 'object' && error !== null && 'type' in error && typeof (error as { status?: unknown }).status === 'number' && (error as { status: number }).status < 500) {
    // body-parser's errors: malformed or oversized bodies.
    failure = errors.malformedBody((error as Error).message);
  } else {
    console.error(`stripe-emulator: ${req.method} ${req.path} failed: ${(error as Error)?.stack ?? String(error)}`);
    failure = new StripeApiError(500, { type: 'api_error', message: 'An unexpected error occurred in the Stripe emulator; its output has the details.' });
  }
  if (res.headersSent) return;
  res.set(failure.headers);
  if (req.path.startsWith('/c/') || req.path.startsWith('/p/')) {
    res.status(failure.status).type('text').send(failure.body.message);
    return;
  }
  res.status(failure.status).json({ error: failure.body });
};

export function createApp(parts: AppParts): Express {
  const { emulator } = parts;
  const app = express();
  app.disable('x-powered-by');
  // Stripe's list filters arrive as `created[gte]=…`, `expand[0]=…`: qs decodes them.
  app.set('query parser', 'extended');
  app.set('etag', false);

  const vibes = express.Router();
  parts.registerVibesRoutes(vibes);
  app.use('/_vibes', express.json({ limit: '100kb' }), vibes);

  const checkout = express.Router();
  registerCheckoutPages(checkout, emulator);
  registerPortalPages(checkout, emulator);
  app.use(checkout);

  // Every /v1 call: Stripe's headers, the optional rate limit, a test key, the form body, idempotency.
  const api = express.Router();
  api.use('/v1', stripeHeaders());
  if (parts.limiter) api.use('/v1', parts.limiter.middleware());
  api.use('/v1', requireTestKey());
  // The stripe client sends application/x-www-form-urlencoded with bracketed nesting; qs (express's
  // extended parser) decodes `metadata[k]`, `line_items[0][price]` and `expand[0]` as Stripe does.
  api.use('/v1', express.urlencoded({ extended: true, limit: '1mb', parameterLimit: 5000 }));
  // Stripe refuses a body of another type (JSON, say) instead of reading it as no parameters.
  api.use('/v1', (req, _res, next) => {
    // false: a body of another type; null: no body at all. An empty one (Content-Length: 0, as
    // stripe-python's DELETE and a bodiless fetch POST send, with no type) holds no parameters either.
    const empty = req.headers['content-length'] === '0';
    if (!empty && req.is('application/x-www-form-urlencoded') === false) throw errors.unsupportedContentType(req.headers['content-type'] ?? 'none');
    next();
  });
  // expand[] is answered last, but refused first: a refused call must not have created anything.
  api.use('/v1', (req, _res, next) => {
    checkExpandPaths(paramsOf(req).expand());
    next();
  });
  api.use('/v1', parts.idempotency.middleware());
  for (const register of [
    registerCustomers,
    registerProducts,
    registerPrices,
    registerCheckoutSessions,
    registerSubscriptions,
    registerInvoices,
    registerInvoicePayments,
    registerTestClocks,
    registerPaymentIntents,
    registerCharges,
    registerPaymentMethods,
    registerEvents,
    registerWebhookEndpoints,
    registerBillingPortal,
  ]) {
    register(api, emulator);
  }
  api.use('/v1', (req) => {
    throw errors.unrecognizedUrl(req.method, req.originalUrl.split('?')[0]!);
  });
  app.use(api);
  app.use((req, res) => {
    res.status(404).json({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.path}). The Stripe emulator serves /v1/*, /c/pay/<session id>, /p/session/<portal session id> and /_vibes/*.` } });
  });
  app.use(errorHandler);
  return app;
}
