export type StripeErrorType = 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
}

/** An error the API answers in Stripe's `{ error: {...} }` shape with Stripe's status code. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    /** Extra response headers, e.g. `Stripe-Rate-Limited-Reason` on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }
}

const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

function invalid(status: number, message: string, code?: string, param?: string): StripeApiError {
  return new StripeApiError(status, {
    type: 'invalid_request_error',
    message,
    ...(code ? { code, doc_url: docUrl(code) } : {}),
    ...(param ? { param } : {}),
  });
}

/** Human names Stripe uses in "No such …" messages. */
const RESOURCE_NAMES: Record<string, string> = {
  customer: 'customer',
  product: 'product',
  price: 'price',
  'checkout.session': 'checkout.session',
  coupon: 'coupon',
  promotion_code: 'promotion code',
  subscription: 'subscription',
  event: 'event',
  webhook_endpoint: 'webhook endpoint',
  payment_intent: 'payment_intent',
  invoice: 'invoice',
  charge: 'charge',
  payment_method: 'PaymentMethod',
};

export const errors = {
  /** 404 for the id in the URL; 400 for an id given in a parameter (`line_items[0][price]`), as Stripe answers. */
  resourceMissing(resource: string, id: string, param = 'id'): StripeApiError {
    return invalid(param === 'id' ? 404 : 400, `No such ${RESOURCE_NAMES[resource] ?? resource}: '${id}'`, 'resource_missing', param);
  },
  expandTooDeep(path: string): StripeApiError {
    return invalid(400, `You cannot expand more than 4 levels of a property. Property: ${path}`, 'property_expansion_max_depth');
  },
  unsupportedContentType(contentType: string): StripeApiError {
    return invalid(400, `Invalid request: unsupported Content-Type ${contentType}. Stripe's API (and the emulator) reads form-encoded bodies: application/x-www-form-urlencoded, as the stripe libraries send.`);
  },
  unrecognizedUrl(method: string, path: string): StripeApiError {
    // The emulator's words first: an app that passes the message on (an error page, a 4xx a flow quotes) is often cut short.
    return invalid(404, `Unrecognized request URL (${method}: ${path}): the Stripe emulator does not serve it; run this test in Stripe test mode. ` +
      `(The emulator serves part of Stripe's API, listed in the playwright-vibes README.) Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`);
  },
  /** A parameter Stripe takes that the emulator does not implement: said so, never blamed on the app. */
  notEmulated(param: string): StripeApiError {
    return invalid(400, `The Stripe emulator does not implement \`${param}\` on this request (Stripe does): run this test in Stripe test mode (stripe: { mode: 'test-mode' }).`, undefined, param);
  },
  parameterUnknown(param: string): StripeApiError {
    return invalid(400, `Received unknown parameter: ${param}`, 'parameter_unknown', param);
  },
  parameterMissing(param: string): StripeApiError {
    return invalid(400, `Missing required param: ${param}.`, 'parameter_missing', param);
  },
  invalidInteger(param: string, value: unknown): StripeApiError {
    return invalid(400, `Invalid integer: ${String(value)}`, 'parameter_invalid_integer', param);
  },
  integerOutOfRange(param: string, min: number, max: number): StripeApiError {
    return invalid(400, `This value must be between ${min} and ${max} (inclusive).`, 'parameter_invalid_integer', param);
  },
  emptyString(param: string): StripeApiError {
    return invalid(
      400,
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      'parameter_invalid_empty',
      param,
    );
  },
  invalidString(param: string, message: string): StripeApiError {
    return invalid(400, message, 'parameter_invalid_string_blank', param);
  },
  invalidValue(param: string, message: string): StripeApiError {
    return invalid(400, message, undefined, param);
  },
  exclusive(params: string[]): StripeApiError {
    return invalid(400, `You may only specify one of these parameters: ${params.join(', ')}.`, 'parameters_exclusive', params[0]);
  },
  emailInvalid(param: string, value: string): StripeApiError {
    return invalid(400, `Invalid email address: ${value}`, 'email_invalid', param);
  },
  invalidState(message: string, param?: string): StripeApiError {
    return invalid(400, message, undefined, param);
  },
  idempotencyOtherEndpoint(key: string, first: string, now: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${first}' vs '${now}'). Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  },
  idempotencyMismatch(key: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'idempotency_error',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    });
  },
  rateLimited(): StripeApiError {
    return new StripeApiError(
      429,
      {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: docUrl('rate_limit'),
        message: 'Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
      // Stripe names the limiter that refused; it sends no Stripe-Should-Retry for rate limits, so
      // the stripe client surfaces the 429 instead of retrying it.
      { 'Stripe-Rate-Limited-Reason': 'global-rate' },
    );
  },
  missingApiKey(): StripeApiError {
    return invalid(
      401,
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  },
  invalidApiVersion(version: string): StripeApiError {
    return invalid(400, `Invalid Stripe API version: ${version}`);
  },
  invalidApiKey(): StripeApiError {
    return invalid(
      401,
      'Invalid API Key provided. This Stripe emulator accepts test-mode secret or restricted keys (sk_test_… or rk_test_…); set your test key, e.g. STRIPE_SECRET_KEY=sk_test_anything.',
    );
  },
  liveKeyRefused(): StripeApiError {
    return invalid(
      401,
      'This Stripe emulator runs in test mode only and refuses live-mode keys (sk_live_…/rk_live_…). Use a test key such as sk_test_…, and check that no live key is configured for your tests.',
      'livemode_mismatch',
    );
  },
  malformedBody(message: string): StripeApiError {
    return invalid(400, `Invalid request body: ${message}`);
  },
};
