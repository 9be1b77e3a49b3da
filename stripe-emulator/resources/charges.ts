import type { Router } from 'express';
import type { Emulator } from '../context.js';
import type { Decline } from '../cards.js';
import { newId, randomBase62 } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import { emptyMetadata, type StripeObject } from '../types.js';
import { paramsOf, retrieveRoute, send } from '../http/respond.js';
import type { PaymentIntent } from './payment-intents.js';
import type { PaymentMethod } from './payment-methods.js';

export interface Charge extends StripeObject {
  object: 'charge';
  status: 'succeeded' | 'failed';
  paid: boolean;
  customer: string | null;
  payment_intent: string;
}

/** The charge a confirmation attempt makes: succeeded, or failed with the decline's codes. */
export function createCharge(
  emu: Emulator,
  input: { intent: PaymentIntent; method: PaymentMethod; decline?: Decline; threeDSecure: 'authenticated' | 'failed' | null },
): Charge {
  const { intent, method, decline } = input;
  const succeeded = !decline;
  const id = newId('ch', 24);
  const card = method.card;
  const charge: Charge = {
    id,
    object: 'charge',
    amount: intent.amount,
    amount_captured: succeeded ? intent.amount : 0,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    // Set by settleCharge, moments after charge.succeeded: see there.
    balance_transaction: null,
    billing_details: structuredClone(method.billing_details),
    calculated_statement_descriptor: emu.config.businessName.toUpperCase().slice(0, 22),
    captured: succeeded,
    created: emu.clock.now(),
    currency: intent.currency,
    customer: intent.customer,
    description: intent.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: decline?.code ?? null,
    failure_message: decline?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: emptyMetadata(),
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: decline?.networkStatus ?? 'approved_by_network',
      reason: decline?.decline_code ?? null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: decline?.sellerMessage ?? 'Payment complete.',
      type: decline?.outcomeType ?? 'authorized',
    },
    paid: succeeded,
    payment_intent: intent.id,
    payment_method: method.id,
    payment_method_details: {
      card: {
        amount_authorized: succeeded ? intent.amount : null,
        authorization_code: succeeded ? String(100000 + Math.floor(Math.random() * 900000)) : null,
        brand: card.brand,
        checks: structuredClone(card.checks),
        country: 'US',
        exp_month: card.exp_month,
        exp_year: card.exp_year,
        extended_authorization: { status: 'disabled' },
        fingerprint: card.fingerprint,
        funding: card.funding,
        incremental_authorization: { status: 'unavailable' },
        installments: null,
        last4: card.last4,
        mandate: null,
        multicapture: { status: 'unavailable' },
        network: card.brand,
        network_token: { used: false },
        network_transaction_id: succeeded ? randomBase62(15) : null,
        overcapture: { maximum_amount_capturable: intent.amount, status: 'unavailable' },
        regulated_status: 'unregulated',
        three_d_secure: input.threeDSecure
          ? {
              authentication_flow: 'challenge',
              electronic_commerce_indicator: input.threeDSecure === 'authenticated' ? '05' : null,
              exemption_indicator: null,
              result: input.threeDSecure,
              result_reason: input.threeDSecure === 'failed' ? 'rejected' : null,
              transaction_id: crypto.randomUUID(),
              version: '2.2.0',
            }
          : null,
        transaction_link_id: null,
        wallet: null,
      },
      type: 'card',
    },
    receipt_email: intent.receipt_email,
    receipt_number: null,
    receipt_url: succeeded ? `https://pay.stripe.com/receipts/payment/${randomBase62(60)}` : null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: succeeded ? 'succeeded' : 'failed',
    transfer_data: null,
    transfer_group: null,
    source: null,
  };
  return emu.store.collections.charges.add(charge) as Charge;
}

/**
 * Stripe captures asynchronously (`capture_method: 'automatic_async'`, every intent's default since
 * API version 2024-04-10): `charge.succeeded` and `payment_intent.succeeded` carry no balance
 * transaction, and `charge.updated` brings it moments later. Settling after the flow that charged
 * has sent its own events keeps that order, so an app that reads fees from `charge.succeeded`
 * meets the null here rather than in production.
 */
export function settleChargeSoon(emu: Emulator, chargeId: string): void {
  setImmediate(() => {
    const charge = emu.store.collections.charges.get(chargeId);
    // Gone with a reset (`POST /_vibes/reset`) in between, or settled already: nothing to say.
    if (!charge || charge.balance_transaction !== null) return;
    charge.balance_transaction = newId('txn', 24);
    emu.events.emit('charge.updated', charge, { previousAttributes: { balance_transaction: null } });
  });
}

export function registerCharges(router: Router, emu: Emulator): void {
  const charges = emu.store.collections.charges;
  router.get('/v1/charges', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    const paymentIntent = params.string('payment_intent');
    const created = createdFilter(params);
    const all = charges.newestFirst() as Charge[];
    const items = all.filter(
      (c) => (customer === undefined || c.customer === customer) && (paymentIntent === undefined || c.payment_intent === paymentIntent) && created(c),
    );
    const page = paginate(items, params, '/v1/charges', 'charge', all);
    params.done();
    send(emu, res, page, params);
  });
  retrieveRoute(router, emu, '/v1/charges', charges);
}
