import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { defineIncludable } from '../expand.js';
import { newId } from '../ids.js';
import { nowFor } from '../time.js';
import { createdFilter, paginate } from '../list.js';
import type { Store } from '../store.js';
import type { StripeObject } from '../types.js';
import { paramsOf, retrieveRoute, send } from '../http/respond.js';
import type { Invoice } from './invoices.js';
import type { PaymentIntent } from './payment-intents.js';

export type InvoicePaymentStatus = 'open' | 'paid' | 'canceled';

/**
 * Since API version basil an invoice no longer names its PaymentIntent; the link is an
 * InvoicePayment, reached by `expand[]=payments` on the invoice or by `GET /v1/invoice_payments`.
 */
export interface InvoicePayment extends StripeObject {
  object: 'invoice_payment';
  invoice: string;
  status: InvoicePaymentStatus;
  amount_paid: number | null;
  amount_requested: number;
  payment: { type: 'payment_intent'; payment_intent: string };
  status_transitions: { canceled_at: number | null; paid_at: number | null };
}

function paymentsOf(store: Store, invoice: string): InvoicePayment[] {
  return (store.collections.invoicePayments.newestFirst() as InvoicePayment[]).filter((payment) => payment.invoice === invoice);
}

/** The invoice's payment by this PaymentIntent, made once when the intent is made for the invoice. */
export function openInvoicePayment(emu: Emulator, invoice: Invoice, intent: PaymentIntent): InvoicePayment {
  const existing = paymentsOf(emu.store, invoice.id).find((payment) => payment.payment.payment_intent === intent.id);
  if (existing) return existing;
  const payment: InvoicePayment = {
    id: newId('inpay', 24),
    object: 'invoice_payment',
    amount_paid: null,
    amount_requested: invoice.amount_due,
    created: nowFor(emu, invoice.customer),
    currency: String(invoice.currency),
    invoice: invoice.id,
    is_default: true,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: intent.id },
    status: 'open',
    status_transitions: { canceled_at: null, paid_at: null },
  };
  return emu.store.collections.invoicePayments.add(payment) as InvoicePayment;
}

/** The invoice was paid: its open payment records the amount and when. */
export function settleInvoicePayments(emu: Emulator, invoice: Invoice): void {
  for (const payment of paymentsOf(emu.store, invoice.id)) {
    if (payment.status !== 'open') continue;
    payment.status = 'paid';
    payment.amount_paid = invoice.amount_paid;
    payment.status_transitions.paid_at = nowFor(emu, invoice.customer);
  }
}

defineIncludable('invoice', 'payments', (store, invoice) => {
  const id = String(invoice.id);
  const data = paymentsOf(store, id);
  return { object: 'list', data, has_more: false, total_count: data.length, url: `/v1/invoice_payments?invoice=${id}` };
});

const STATUSES = ['canceled', 'open', 'paid'] as const;

export function registerInvoicePayments(router: Router, emu: Emulator): void {
  const payments = emu.store.collections.invoicePayments;
  router.get('/v1/invoice_payments', (req, res) => {
    const params = paramsOf(req);
    const invoice = params.string('invoice');
    const status = params.enumeration('status', STATUSES);
    const by = params.object('payment');
    const type = by?.enumeration('type', ['payment_intent'] as const, { required: true });
    const paymentIntent = by?.string('payment_intent');
    by?.done();
    const created = createdFilter(params);
    const all = payments.newestFirst() as InvoicePayment[];
    const items = all.filter(
      (p) =>
        (invoice === undefined || p.invoice === invoice) &&
        (status === undefined || p.status === status) &&
        (type === undefined || p.payment.type === type) &&
        (paymentIntent === undefined || p.payment.payment_intent === paymentIntent) &&
        created(p),
    );
    const page = paginate(items, params, '/v1/invoice_payments', 'invoice_payment', all);
    params.done();
    send(emu, res, page, params);
  });
  retrieveRoute(router, emu, '/v1/invoice_payments', payments);
}
