import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import { emptyMetadata, type StripeObject } from '../types.js';
import { paramsOf, pathParam, retrieveRoute, send } from '../http/respond.js';
import type { TestCard } from '../cards.js';
import { requireLiveCustomer, type Address } from './customers.js';

export interface CardDetails {
  number: string;
  expMonth: number;
  expYear: number;
  card: TestCard;
  name: string;
  email: string;
  country: string | null;
  postalCode: string | null;
}

export interface PaymentMethod extends StripeObject {
  object: 'payment_method';
  customer: string | null;
  card: { brand: string; last4: string; exp_month: number; exp_year: number; funding: string; fingerprint: string; [key: string]: unknown };
  billing_details: { address: Address; email: string | null; name: string | null; phone: null; tax_id: null };
}

export function billingAddress(details: CardDetails): Address {
  return { city: null, country: details.country, line1: null, line2: null, postal_code: details.postalCode, state: null };
}

export function createPaymentMethod(emu: Emulator, details: CardDetails): PaymentMethod {
  const brand = details.card.brand;
  const pm: PaymentMethod = {
    id: newId('pm', 24),
    object: 'payment_method',
    allow_redisplay: 'limited',
    billing_details: { address: billingAddress(details), email: details.email, name: details.name, phone: null, tax_id: null },
    card: {
      brand,
      checks: { address_line1_check: null, address_postal_code_check: details.postalCode ? 'pass' : null, cvc_check: 'pass' },
      country: 'US',
      display_brand: brand === 'amex' ? 'american_express' : brand,
      exp_month: details.expMonth,
      exp_year: details.expYear,
      // Stable per number, like Stripe's fingerprint, without revealing the number.
      fingerprint: Buffer.from(details.number).toString('base64url').slice(-16).padStart(16, 'X'),
      funding: details.card.funding,
      generated_from: null,
      last4: details.number.slice(-4),
      networks: { available: [brand], preferred: null },
      three_d_secure_usage: { supported: true },
      wallet: null,
      regulated_status: 'unregulated',
    },
    created: emu.clock.now(),
    customer: null,
    livemode: false,
    metadata: emptyMetadata(),
    type: 'card',
    customer_account: null,
  };
  emu.store.paymentMethodCards.set(pm.id, details.card);
  return emu.store.collections.paymentMethods.add(pm) as PaymentMethod;
}

export function registerPaymentMethods(router: Router, emu: Emulator): void {
  const methods = emu.store.collections.paymentMethods;
  router.get('/v1/payment_methods', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    params.accept('type', 'allow_redisplay');
    const all = methods.newestFirst() as PaymentMethod[];
    const items = all.filter((pm) => customer === undefined || pm.customer === customer);
    const page = paginate(items, params, '/v1/payment_methods', 'payment_method', all);
    params.done();
    send(emu, res, page, params);
  });
  retrieveRoute(router, emu, '/v1/payment_methods', methods);

  // stripe.customers.listPaymentMethods: a customer's saved cards, as a "Billing" page lists them.
  router.get('/v1/customers/:id/payment_methods', (req, res) => {
    const params = paramsOf(req);
    const customer = requireLiveCustomer(emu, pathParam(req, 'id'));
    const type = params.string('type');
    params.accept('allow_redisplay');
    const all = methods.newestFirst() as PaymentMethod[];
    const items = all.filter((pm) => pm.customer === customer.id && (type === undefined || pm.type === type));
    const page = paginate(items, params, `/v1/customers/${customer.id}/payment_methods`, 'payment_method', all);
    params.done();
    send(emu, res, page, params);
  });
}
