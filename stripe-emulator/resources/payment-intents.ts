import type { Router } from 'express';
import type { Decline } from '../cards.js';
import { createCharge, settleChargeSoon } from './charges.js';
import type { Emulator } from '../context.js';
import { newId, randomBase62 } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import { emptyMetadata, type Metadata, type StripeObject } from '../types.js';
import { paramsOf, retrieveRoute, send } from '../http/respond.js';
import type { PaymentMethod } from './payment-methods.js';

export type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_action' | 'processing' | 'succeeded' | 'canceled';

export interface PaymentIntent extends StripeObject {
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  customer: string | null;
  description: string | null;
  status: PaymentIntentStatus;
  payment_method: string | null;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  next_action: Record<string, unknown> | null;
  metadata: Metadata;
  receipt_email: string | null;
  canceled_at: number | null;
  cancellation_reason: string | null;
}

export function createPaymentIntent(
  emu: Emulator,
  input: { amount: number; currency: string; customer: string | null; description?: string | null; metadata?: Metadata; receiptEmail?: string | null; setupFutureUsage?: 'off_session' | null },
): PaymentIntent {
  const id = newId('pi', 24);
  const pi: PaymentIntent = {
    id,
    object: 'payment_intent',
    amount: input.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${randomBase62(25)}`,
    confirmation_method: 'automatic',
    created: emu.clock.now(),
    currency: input.currency,
    customer: input.customer,
    description: input.description ?? null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: input.metadata ?? emptyMetadata(),
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: { card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    processing: null,
    receipt_email: input.receiptEmail ?? null,
    review: null,
    setup_future_usage: input.setupFutureUsage ?? null,
    shipping: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
    source: null,
    excluded_payment_method_types: null,
    customer_account: null,
    managed_payments: { enabled: false },
  };
  return emu.store.collections.paymentIntents.add(pi) as PaymentIntent;
}

/**
 * Charges the intent's payment method: a charge that succeeds, or fails with `decline`, the
 * intent brought in line with it, and their events in Stripe's order.
 */
export function chargeIntent(emu: Emulator, intent: PaymentIntent, method: PaymentMethod, decline: Decline | null, threeDSecure: 'authenticated' | null): void {
  const charge = createCharge(emu, { intent, method, ...(decline ? { decline } : {}), threeDSecure });
  intent.latest_charge = charge.id;
  intent.next_action = null;
  if (decline) {
    emu.events.emit('charge.failed', charge);
    intent.status = 'requires_payment_method';
    intent.payment_method = null;
    intent.last_payment_error = lastPaymentError(decline, charge.id, method);
    emu.events.emit('payment_intent.payment_failed', intent);
    return;
  }
  intent.status = 'succeeded';
  intent.amount_received = intent.amount;
  intent.payment_method = method.id;
  intent.last_payment_error = null;
  emu.events.emit('charge.succeeded', charge);
  emu.events.emit('payment_intent.succeeded', intent);
  settleChargeSoon(emu, charge.id);
}

/** A PaymentIntent's `last_payment_error` after a decline, in Stripe's shape. */
export function lastPaymentError(decline: Decline, charge: string | null, method: PaymentMethod): Record<string, unknown> {
  return {
    advice_code: null,
    charge,
    code: decline.code,
    ...(decline.decline_code ? { decline_code: decline.decline_code } : {}),
    doc_url: `https://stripe.com/docs/error-codes/${decline.code.replaceAll('_', '-')}`,
    message: decline.message,
    network_advice_code: null,
    network_decline_code: null,
    param: null,
    payment_method: structuredClone(method),
    payment_method_type: 'card',
    type: decline.code === 'payment_intent_authentication_failure' ? 'invalid_request_error' : 'card_error',
  };
}

export function registerPaymentIntents(router: Router, emu: Emulator): void {
  const intents = emu.store.collections.paymentIntents;
  router.get('/v1/payment_intents', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    const created = createdFilter(params);
    const all = intents.newestFirst() as PaymentIntent[];
    const items = all.filter((pi) => (customer === undefined || pi.customer === customer) && created(pi));
    const page = paginate(items, params, '/v1/payment_intents', 'payment_intent', all);
    params.done();
    send(emu, res, page, params);
  });
  retrieveRoute(router, emu, '/v1/payment_intents', intents, ['client_secret']);
}
