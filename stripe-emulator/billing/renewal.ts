import type { Emulator } from '../context.js';
import type { Customer } from '../resources/customers.js';
import { openInvoicePayment } from '../resources/invoice-payments.js';
import { createSubscriptionInvoice, finalizeInvoice, recordInvoicePaid, recordInvoicePaymentFailed, type Invoice } from '../resources/invoices.js';
import { chargeIntent, createPaymentIntent } from '../resources/payment-intents.js';
import type { PaymentMethod } from '../resources/payment-methods.js';
import { addInterval, type Subscription, type SubscriptionStatus } from '../resources/subscriptions.js';
import { applyUpdate } from '../resources/updates.js';

/** The statuses in which a subscription still bills, period after period. */
const BILLING: ReadonlySet<SubscriptionStatus> = new Set(['active', 'trialing', 'past_due']);

/**
 * When the subscription next changes on its own, if it bills: its cancellation (`cancel_at`), or
 * the end of its period (a renewal, or the end of its trial).
 */
export function nextBoundary(sub: Subscription): number | undefined {
  if (!BILLING.has(sub.status)) return undefined;
  const periodEnd = sub.items.data[0]!.current_period_end;
  return sub.cancel_at !== null && sub.cancel_at <= periodEnd ? sub.cancel_at : periodEnd;
}

/**
 * What Stripe does when a subscription's clock reaches its boundary: it ends (a cancellation
 * scheduled for then), or a new period starts and is invoiced and charged to the subscription's
 * (else the customer's) default payment method. The clock stands at the boundary while this runs.
 */
export function passBoundary(emu: Emulator, sub: Subscription, customer: Customer): void {
  const boundary = nextBoundary(sub)!;
  if (sub.cancel_at !== null && sub.cancel_at === boundary) {
    // `canceled_at` stays when the cancellation was asked for; it ends now.
    sub.status = 'canceled';
    sub.ended_at = boundary;
    emu.events.emit('customer.subscription.deleted', sub);
    return;
  }
  const previousStart = sub.items.data[0]!.current_period_start;
  const items = structuredClone(sub.items);
  for (const item of items.data) {
    item.current_period_start = boundary;
    item.current_period_end = addInterval(boundary, item.price.recurring?.interval ?? 'month', item.price.recurring?.interval_count ?? 1);
  }
  // A trial's end is the first paid period: active from now on, past_due if its payment fails.
  const status: SubscriptionStatus = sub.status === 'trialing' ? 'active' : sub.status;
  applyUpdate(emu, sub, { items, status }, 'customer.subscription.updated');

  const invoice = createSubscriptionInvoice(emu, sub, customer, { billingReason: 'subscription_cycle', previousPeriodStart: previousStart });
  sub.latest_invoice = invoice.id;
  emu.events.emit('invoice.created', invoice);
  finalizeInvoice(emu, invoice, customer);
  emu.events.emit('invoice.finalized', invoice);
  const paid = payInvoice(emu, invoice, sub, customer);
  if (paid && sub.status === 'past_due') applyUpdate(emu, sub, { status: 'active' }, 'customer.subscription.updated');
  if (!paid && sub.status === 'active') applyUpdate(emu, sub, { status: 'past_due' }, 'customer.subscription.updated');
}

/** Charges a renewal invoice off-session, as Stripe's automatic collection does; true when paid. */
function payInvoice(emu: Emulator, invoice: Invoice, sub: Subscription, customer: Customer): boolean {
  if (invoice.amount_due === 0) {
    recordInvoicePaid(emu, invoice);
    return true;
  }
  const methodId = sub.default_payment_method ?? customer.invoice_settings.default_payment_method;
  const method = methodId ? (emu.store.collections.paymentMethods.get(methodId) as PaymentMethod | undefined) : undefined;
  if (!method) {
    recordInvoicePaymentFailed(emu, invoice);
    return false;
  }
  const intent = createPaymentIntent(emu, { amount: invoice.amount_due, currency: String(invoice.currency), customer: customer.id, description: 'Subscription update' });
  emu.events.emit('payment_intent.created', intent);
  openInvoicePayment(emu, invoice, intent);
  const behaviour = emu.store.paymentMethodCards.get(method.id)?.behaviour;
  // A card set up with 3-D Secure pays later invoices off-session; one that declines, declines.
  const decline = behaviour?.kind === 'declines' ? behaviour.decline : behaviour?.kind === 'requires_authentication' && behaviour.after.kind === 'declines' ? behaviour.after.decline : null;
  chargeIntent(emu, intent, method, decline, null);
  if (decline) {
    recordInvoicePaymentFailed(emu, invoice);
    return false;
  }
  recordInvoicePaid(emu, invoice);
  return true;
}
