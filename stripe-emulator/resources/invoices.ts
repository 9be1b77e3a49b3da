import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { searchFields } from '../search.js';
import { newId, randomBase62 } from '../ids.js';
import { nowFor, testClockOf } from '../time.js';
import { createdFilter, paginate } from '../list.js';
import { emptyMetadata, type StripeObject } from '../types.js';
import { paramsOf, retrieveRoute, searchRoute, send } from '../http/respond.js';
import type { Customer } from './customers.js';
import { settleInvoicePayments } from './invoice-payments.js';
import type { Subscription } from './subscriptions.js';

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

export interface Invoice extends StripeObject {
  object: 'invoice';
  customer: string;
  subscription: string | null;
  status: InvoiceStatus;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  number: string | null;
  total: number;
  status_transitions: { finalized_at: number | null; marked_uncollectible_at: null; paid_at: number | null; voided_at: null };
  hosted_invoice_url: string | null;
  invoice_pdf: string | null;
  effective_at: number | null;
  default_payment_method: string | null;
}

export type InvoiceBillingReason = 'subscription_create' | 'subscription_cycle';

/**
 * A subscription's invoice, still a draft, for the period its items are in now: the first one
 * (`subscription_create`, nothing to pay during a trial) or a renewal (`subscription_cycle`,
 * which bills the period just ended, so its `period_start`..`period_end` is that one).
 */
export function createSubscriptionInvoice(
  emu: Emulator,
  sub: Subscription,
  customer: Customer,
  { billingReason = 'subscription_create', previousPeriodStart }: { billingReason?: InvoiceBillingReason; previousPeriodStart?: number } = {},
): Invoice {
  const now = nowFor(emu, customer.id);
  const id = newId('in', 24);
  const trialing = billingReason === 'subscription_create' && sub.trial_end !== null;
  const lines = sub.items.data.map((item) => {
    const amount = trialing ? 0 : (item.price.unit_amount ?? 0) * item.quantity;
    return {
      id: newId('il', 24),
      object: 'line_item',
      amount,
      currency: sub.currency,
      description: trialing ? `Trial period for ${item.price.nickname ?? 'subscription'}` : `${item.quantity} × ${item.price.nickname ?? 'subscription'}`,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      invoice: id,
      livemode: false,
      metadata: emptyMetadata(),
      parent: {
        invoice_item_details: null,
        subscription_item_details: { invoice_item: null, proration: false, proration_details: { credited_items: null }, subscription: sub.id, subscription_item: item.id },
        type: 'subscription_item_details',
      },
      period: { end: item.current_period_end, start: item.current_period_start },
      pretax_credit_amounts: [],
      pricing: { price_details: { price: item.price.id, product: item.price.product }, type: 'price_details', unit_amount_decimal: String(item.price.unit_amount) },
      quantity: item.quantity,
      quantity_decimal: String(item.quantity),
      subscription: sub.id,
      subtotal: amount,
      taxes: [],
    };
  });
  const total = lines.reduce((sum, line) => sum + line.amount, 0);
  const invoice: Invoice = {
    id,
    object: 'invoice',
    account_country: 'US',
    account_name: emu.config.businessName,
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: total,
    amount_shipping: 0,
    application: null,
    attempt_count: 0,
    attempted: false,
    auto_advance: false,
    automatic_tax: { enabled: false, liability: null, status: null, disabled_reason: null, provider: null },
    automatically_finalizes_at: null,
    billing_reason: billingReason,
    collection_method: 'charge_automatically',
    created: now,
    currency: sub.currency,
    custom_fields: null,
    customer: customer.id,
    customer_account: null,
    customer_address: customer.address,
    customer_email: customer.email,
    customer_name: customer.name,
    customer_phone: customer.phone,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: null,
    effective_at: null,
    ending_balance: null,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
    livemode: false,
    metadata: emptyMetadata(),
    next_payment_attempt: null,
    number: null,
    on_behalf_of: null,
    parent: { quote_details: null, subscription_details: { metadata: structuredClone(sub.metadata), subscription: sub.id }, type: 'subscription_details' },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: now,
    period_start: previousPeriodStart ?? now,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: 'draft',
    status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
    subscription: sub.id,
    subtotal: total,
    subtotal_excluding_tax: total,
    test_clock: testClockOf(emu, customer.id),
    total,
    total_discount_amounts: [],
    total_excluding_tax: total,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: null,
  };
  return emu.store.collections.invoices.add(invoice) as Invoice;
}

export function finalizeInvoice(emu: Emulator, invoice: Invoice, customer: Customer): void {
  const now = nowFor(emu, customer.id);
  const sequence = Number(customer.next_invoice_sequence ?? 1);
  customer.next_invoice_sequence = sequence + 1;
  invoice.status = 'open';
  invoice.number = `${String(customer.invoice_prefix)}-${String(sequence).padStart(4, '0')}`;
  invoice.effective_at = now;
  invoice.status_transitions.finalized_at = now;
  invoice.webhooks_delivered_at = now;
  const token = randomBase62(40);
  invoice.hosted_invoice_url = `https://invoice.stripe.com/i/${token}`;
  invoice.invoice_pdf = `https://pay.stripe.com/invoice/${token}/pdf`;
}

/** Paid (by the attempt that charged it, or with nothing to pay): `invoice.paid` and `invoice.payment_succeeded`. */
export function recordInvoicePaid(emu: Emulator, invoice: Invoice): void {
  invoice.attempt_count += invoice.amount_due > 0 ? 1 : 0;
  invoice.attempted = true;
  invoice.status = 'paid';
  invoice.amount_paid = invoice.amount_due;
  invoice.amount_remaining = 0;
  invoice.status_transitions.paid_at = nowFor(emu, invoice.customer);
  settleInvoicePayments(emu, invoice);
  emu.events.emit('invoice.paid', invoice);
  emu.events.emit('invoice.payment_succeeded', invoice);
}

/** An attempt to pay the invoice failed: it stays open, one attempt more, `invoice.payment_failed`. */
export function recordInvoicePaymentFailed(emu: Emulator, invoice: Invoice): void {
  invoice.attempt_count += 1;
  invoice.attempted = true;
  emu.events.emit('invoice.payment_failed', invoice);
}

export function registerInvoices(router: Router, emu: Emulator): void {
  const invoices = emu.store.collections.invoices;
  router.get('/v1/invoices', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    const subscription = params.string('subscription');
    const status = params.enumeration('status', ['draft', 'open', 'paid', 'uncollectible', 'void'] as const);
    const created = createdFilter(params);
    params.accept('collection_method', 'due_date');
    const all = invoices.newestFirst() as Invoice[];
    const items = all.filter(
      (i) => (customer === undefined || i.customer === customer) && (subscription === undefined || i.subscription === subscription) && (status === undefined || i.status === status) && created(i),
    );
    const page = paginate(items, params, '/v1/invoices', 'invoice', all);
    params.done();
    send(emu, res, page, params);
  });
  searchRoute(router, emu, '/v1/invoices', () => invoices.newestFirst(), searchFields('created', 'currency', 'customer', 'metadata', 'number', 'receipt_number', 'status', 'subscription', 'total'));
  retrieveRoute(router, emu, '/v1/invoices', invoices);
}
