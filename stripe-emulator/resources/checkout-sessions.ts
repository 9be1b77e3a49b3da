import type { Router } from 'express';
import { httpUrl } from '../../core/index.js';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { defineIncludable } from '../expand.js';
import { checkoutSessionId, newId } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import { Params } from '../params.js';
import type { CheckoutFlow, Store } from '../store.js';
import { emptyMetadata, type EventRequest, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, send } from '../http/respond.js';
import { requireLiveCustomer, type Address } from './customers.js';
import { createPriceFromDefinition, readPriceDefinition, type Price } from './prices.js';
import type { Trial } from './subscriptions.js';
import type { Product } from './products.js';

export type CheckoutMode = 'payment' | 'subscription';

export interface CustomerDetails {
  address: Address | null;
  email: string | null;
  name: string | null;
  phone: null;
  tax_exempt: 'none';
  tax_ids: [];
  business_name: null;
  individual_name: null;
}

export interface CheckoutSession extends StripeObject {
  object: 'checkout.session';
  mode: CheckoutMode;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  amount_subtotal: number;
  amount_total: number;
  currency: string;
  customer: string | null;
  customer_email: string | null;
  customer_details: CustomerDetails | null;
  client_reference_id: string | null;
  metadata: Metadata;
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  expires_at: number;
  payment_intent: string | null;
  subscription: string | null;
  invoice: string | null;
  submit_type: string | null;
  created: number;
}

/** A checkout line item (`object: 'item'`), as `listLineItems` and `expand[]=line_items` return it. */
function lineItemsOf(store: Store, flow: CheckoutFlow): StripeObject[] {
  return flow.lines.map(({ id, priceId, quantity }) => {
    const price = store.collections.prices.require(priceId) as Price;
    const product = store.collections.products.get(price.product) as Product | undefined;
    const amount = price.unit_amount * quantity;
    return {
      id,
      object: 'item',
      adjustable_quantity: null,
      amount_discount: 0,
      amount_subtotal: amount,
      amount_tax: 0,
      amount_total: amount,
      currency: price.currency,
      description: product?.name ?? null,
      metadata: emptyMetadata(),
      price: structuredClone(price),
      quantity,
    };
  });
}

defineIncludable('checkout.session', 'line_items', (store, session) => {
  const id = String(session.id);
  const data = lineItemsOf(store, store.checkoutFlows.get(id)!);
  return { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${id}/line_items` };
});

const SUBMIT_TYPES = ['auto', 'book', 'donate', 'pay', 'subscribe'] as const;

interface SessionRequest {
  mode: CheckoutMode;
  lines: { price: Price; quantity: number }[];
  successUrl: string;
  cancelUrl: string | null;
  customer: string | null;
  customerEmail: string | null;
  clientReferenceId: string | null;
  metadata: Metadata;
  expiresAt: number | null;
  submitType: string | null;
  locale: string | null;
  allowPromotionCodes: boolean | null;
  billingAddressCollection: string | null;
  flow: Omit<CheckoutFlow, 'lines'>;
}

function readUrl(params: Params, key: string, required: boolean): string | null {
  const value = params.string(key, { required, max: 5000 });
  if (value === undefined) return null;
  if (!httpUrl(value.replace('{CHECKOUT_SESSION_ID}', 'cs_test'))) {
    throw errors.invalidValue(key, `Not a valid URL: ${key} must be an absolute http(s) URL such as https://example.com/success?session_id={CHECKOUT_SESSION_ID}.`);
  }
  return value;
}

/** A validated line item: an existing price, or a `price_data` definition not created yet. */
interface LineRequest {
  quantity: number;
  currency: string;
  recurring: boolean;
  price?: Price;
  definition?: ReturnType<typeof readPriceDefinition>;
}

function readLineItems(emu: Emulator, params: Params): LineRequest[] {
  const raw = params.array('line_items', { required: true })!;
  if (raw.length === 0) throw errors.parameterMissing('line_items');
  return raw.map((item, index) => {
    const p = Params.of(item, `line_items[${index}]`);
    const priceId = p.string('price');
    const priceData = p.object('price_data');
    if (priceId !== undefined && priceData) throw errors.exclusive([`line_items[${index}][price]`, `line_items[${index}][price_data]`]);
    if (priceId === undefined && !priceData) throw errors.parameterMissing(`line_items[${index}][price]`);
    const quantity = p.integer('quantity', { min: 1, max: 999_999 });
    if (quantity === undefined) throw errors.invalidValue(`line_items[${index}][quantity]`, `Quantity is required. Add \`quantity\` to \`line_items[${index}]\``);
    p.accept('adjustable_quantity', 'tax_rates', 'dynamic_tax_rates', 'metadata');
    let line: LineRequest;
    if (priceData) {
      const definition = readPriceDefinition(emu, priceData);
      priceData.done();
      line = { quantity, currency: definition.currency, recurring: definition.recurring !== null, definition };
    } else {
      const price = emu.store.collections.prices.require(priceId!, `line_items[${index}][price]`) as Price;
      if (!price.active) throw errors.invalidValue(`line_items[${index}][price]`, `The price \`${price.id}\` is not active. Activate it or use another price.`);
      line = { quantity, currency: price.currency, recurring: price.type === 'recurring', price };
    }
    p.done();
    return line;
  });
}

function readSessionRequest(emu: Emulator, params: Params, request: EventRequest): SessionRequest {
  const mode = params.enumeration('mode', ['payment', 'setup', 'subscription'] as const, { required: true })!;
  if (mode === 'setup') throw errors.invalidValue('mode', 'The Stripe emulator supports Checkout in payment and subscription mode, not setup mode.');
  // Before success_url: an embedded session has none, and "missing success_url" would send its author the wrong way.
  const uiMode = params.string('ui_mode');
  if (uiMode !== undefined && uiMode !== 'hosted') {
    throw errors.invalidValue('ui_mode', 'The Stripe emulator serves hosted Checkout only (ui_mode=hosted): embedded Checkout and Elements need Stripe test mode.');
  }
  const successUrl = readUrl(params, 'success_url', true)!;
  const cancelUrl = readUrl(params, 'cancel_url', false);
  const customer = params.string('customer') ?? null;
  const customerEmail = params.email('customer_email') ?? null;
  if (customer && customerEmail) throw errors.exclusive(['customer', 'customer_email']);
  if (customer) requireLiveCustomer(emu, customer, 'customer');
  const clientReferenceId = params.string('client_reference_id', { max: 200 }) ?? null;
  const metadata = params.metadata() ?? emptyMetadata();
  const customerCreation = params.enumeration('customer_creation', ['always', 'if_required'] as const) ?? null;
  if (customerCreation && mode !== 'payment') throw errors.invalidValue('customer_creation', '`customer_creation` can only be used in `payment` mode.');
  const now = emu.clock.now();
  const expiresAt = params.integer('expires_at') ?? null;
  if (expiresAt !== null && (expiresAt < now + 1800 || expiresAt > now + 86_400)) {
    throw errors.invalidValue('expires_at', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.');
  }
  const submitType = params.enumeration('submit_type', SUBMIT_TYPES) ?? null;
  const locale = params.string('locale') ?? null;
  const allowPromotionCodes = params.boolean('allow_promotion_codes') ?? null;
  const billingAddressCollection = params.enumeration('billing_address_collection', ['auto', 'required'] as const) ?? null;

  const subscriptionData = params.object('subscription_data');
  if (subscriptionData && mode !== 'subscription') throw errors.invalidValue('subscription_data', '`subscription_data` can only be used in `subscription` mode.');
  const subMetadata = subscriptionData?.metadata() ?? emptyMetadata();
  const subDescription = subscriptionData?.string('description', { max: 500 }) ?? null;
  const trial = subscriptionData ? readTrial(subscriptionData, now) : null;
  subscriptionData?.accept('application_fee_percent', 'billing_cycle_anchor', 'default_tax_rates', 'invoice_settings', 'on_behalf_of', 'proration_behavior', 'transfer_data', 'trial_settings', 'billing_mode');
  subscriptionData?.done();

  const intentData = params.object('payment_intent_data');
  if (intentData && mode !== 'payment') throw errors.invalidValue('payment_intent_data', '`payment_intent_data` can only be used in `payment` mode.');
  const intentMetadata = intentData?.metadata() ?? emptyMetadata();
  const intentDescription = intentData?.string('description', { max: 1000 }) ?? null;
  intentData?.accept('application_fee_amount', 'capture_method', 'on_behalf_of', 'receipt_email', 'setup_future_usage', 'shipping', 'statement_descriptor', 'statement_descriptor_suffix', 'transfer_data', 'transfer_group');
  intentData?.done();

  params.accept(
    'payment_method_types', 'automatic_tax', 'phone_number_collection', 'customer_update', 'tax_id_collection', 'consent_collection',
    'custom_text', 'custom_fields', 'invoice_creation', 'shipping_address_collection', 'shipping_options', 'payment_method_collection',
    'saved_payment_method_options', 'currency', 'payment_method_options', 'payment_method_configuration', 'after_expiration',
    'adaptive_pricing', 'optional_items', 'wallet_options', 'branding_settings', 'name_collection', 'origin_context', 'permissions',
  );
  const lineRequests = readLineItems(emu, params);
  refuseDiscounts(params);
  params.done();

  const currencies = new Set(lineRequests.map((l) => l.currency));
  if (currencies.size > 1) throw errors.invalidValue('line_items', 'All line items must use the same currency.');
  const recurring = lineRequests.some((l) => l.recurring);
  if (mode === 'subscription' && !recurring) {
    throw errors.invalidValue('line_items', 'You must provide at least one recurring price in `subscription` mode when using prices.');
  }
  if (mode === 'payment' && recurring) {
    throw errors.invalidValue('line_items', 'You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.');
  }
  // Everything is valid: only now make the inline prices (and products), so that a refused
  // request leaves no objects and no events behind.
  const lines = lineRequests.map((l) => ({
    price: l.price ?? createPriceFromDefinition(emu, l.definition!, { active: false }, request),
    quantity: l.quantity,
  }));
  return {
    mode,
    lines,
    successUrl,
    cancelUrl,
    customer,
    customerEmail,
    clientReferenceId,
    metadata,
    expiresAt,
    submitType,
    locale,
    allowPromotionCodes,
    billingAddressCollection,
    flow: {
      subscriptionData: { metadata: subMetadata, description: subDescription, trial },
      paymentIntentData: { metadata: intentMetadata, description: intentDescription },
      customerCreation: mode === 'payment' ? (customerCreation ?? 'if_required') : null,
    },
  };
}

function buildSession(emu: Emulator, input: SessionRequest): CheckoutSession {
  const now = emu.clock.now();
  const id = checkoutSessionId();
  const amount = input.lines.reduce((sum, l) => sum + l.price.unit_amount * l.quantity, 0);
  const trialing = input.mode === 'subscription' && input.flow.subscriptionData.trial !== null;
  const subscription = input.mode === 'subscription';
  return {
    id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: input.allowPromotionCodes,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: input.billingAddressCollection,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: now,
    currency: input.lines[0]!.price.currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: input.customer,
    customer_account: null,
    customer_creation: input.flow.customerCreation,
    customer_details: null,
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt ?? now + 86_400,
    integration_identifier: null,
    invoice: null,
    invoice_creation: subscription
      ? null
      : { enabled: false, invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null } },
    livemode: false,
    locale: input.locale,
    managed_payments: { enabled: false },
    metadata: input.metadata,
    mode: input.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: subscription ? 'always' : null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    payment_status: trialing ? 'no_payment_required' : 'unpaid',
    permissions: null,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    saved_payment_method_options: subscription ? { allow_redisplay_filters: ['always'], payment_method_remove: null, payment_method_save: null } : null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: input.submitType,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${emu.config.publicUrl}/c/pay/${id}`,
    wallet_options: null,
  };
}

/** Expires an open session (API call or lapsed `expires_at`) with `checkout.session.expired`. */
function expireSession(emu: Emulator, session: CheckoutSession, request?: EventRequest): void {
  session.status = 'expired';
  session.url = null;
  emu.events.emit('checkout.session.expired', session, request ? { request } : {});
}

/** The session, expired first if its `expires_at` has passed, as Stripe does on its own. */
export function currentSession(emu: Emulator, id: string, param = 'id'): CheckoutSession {
  const session = emu.store.collections.checkoutSessions.require(id, param) as CheckoutSession;
  if (session.status === 'open' && session.expires_at <= emu.clock.now()) expireSession(emu, session);
  return session;
}

export function registerCheckoutSessions(router: Router, emu: Emulator): void {
  const sessions = emu.store.collections.checkoutSessions;

  router.post('/v1/checkout/sessions', (req, res) => {
    const params = paramsOf(req);
    const input = readSessionRequest(emu, params, eventRequest(res));
    const session = sessions.add(buildSession(emu, input)) as CheckoutSession;
    emu.store.checkoutFlows.set(session.id, { ...input.flow, lines: input.lines.map((l) => ({ id: newId('li', 24), priceId: l.price.id, quantity: l.quantity })) });
    send(emu, res, session, params);
  });

  router.get('/v1/checkout/sessions', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    const paymentIntent = params.string('payment_intent');
    const subscription = params.string('subscription');
    const status = params.enumeration('status', ['open', 'complete', 'expired'] as const);
    const details = params.object('customer_details');
    const email = details?.string('email');
    details?.done();
    const created = createdFilter(params);
    params.accept('payment_link');
    const all = sessions.newestFirst() as CheckoutSession[];
    const items = all
      .map((s) => currentSession(emu, s.id))
      .filter(
        (s) =>
          (customer === undefined || s.customer === customer) &&
          (paymentIntent === undefined || s.payment_intent === paymentIntent) &&
          (subscription === undefined || s.subscription === subscription) &&
          (status === undefined || s.status === status) &&
          (email === undefined || s.customer_details?.email === email) &&
          created(s),
      );
    const page = paginate(items, params, '/v1/checkout/sessions', 'checkout.session', all);
    params.done();
    send(emu, res, page, params);
  });

  router.get('/v1/checkout/sessions/:id/line_items', (req, res) => {
    const params = paramsOf(req);
    const session = currentSession(emu, pathParam(req, 'id'));
    const flow = emu.store.checkoutFlows.get(session.id)!;
    const page = paginate(lineItemsOf(emu.store, flow), params, `/v1/checkout/sessions/${session.id}/line_items`, 'item');
    params.done();
    send(emu, res, page, params);
  });

  router.get('/v1/checkout/sessions/:id', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const session = currentSession(emu, pathParam(req, 'id'));
    send(emu, res, session, params);
  });

  router.post('/v1/checkout/sessions/:id', (req, res) => {
    const params = paramsOf(req);
    const session = currentSession(emu, pathParam(req, 'id'));
    const metadata = params.metadata('metadata', session.metadata);
    params.accept('collected_information', 'shipping_options', 'line_items');
    params.done();
    if (metadata !== undefined) session.metadata = metadata;
    send(emu, res, session, params);
  });

  router.post('/v1/checkout/sessions/:id/expire', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const session = currentSession(emu, pathParam(req, 'id'));
    if (session.status !== 'open') {
      throw errors.invalidState(`Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`);
    }
    expireSession(emu, session, eventRequest(res));
    send(emu, res, session, params);
  });
}

/**
 * `discounts[]`: the emulator has no coupons or promotion codes, so any named one is unknown, as
 * Stripe answers an unknown one. Taking it silently would charge the full price where Stripe
 * charges the discounted one.
 */
function refuseDiscounts(params: Params): void {
  (params.array('discounts') ?? []).forEach((item, index) => {
    const p = Params.of(item, `discounts[${index}]`);
    const coupon = p.string('coupon');
    if (coupon !== undefined) throw errors.resourceMissing('coupon', coupon, p.name('coupon'));
    const code = p.string('promotion_code');
    if (code !== undefined) throw errors.resourceMissing('promotion_code', code, p.name('promotion_code'));
    p.done();
  });
}

/** `subscription_data[trial_period_days]` or `[trial_end]`: a trial starts at payment and runs that long, or to then. */
function readTrial(params: Params, now: number): Trial | null {
  const days = params.integer('trial_period_days', { min: 1, max: 730 });
  const end = params.integer('trial_end');
  if (days !== undefined && end !== undefined) throw errors.exclusive([params.name('trial_period_days'), params.name('trial_end')]);
  if (days !== undefined) return { days };
  if (end === undefined) return null;
  if (end < now + 2 * 86_400) throw errors.invalidValue(params.name('trial_end'), 'The `trial_end` date has to be at least 2 days in the future.');
  if (end > now + 730 * 86_400) throw errors.invalidValue(params.name('trial_end'), 'The `trial_end` date can be at most 730 days in the future.');
  return { end };
}
