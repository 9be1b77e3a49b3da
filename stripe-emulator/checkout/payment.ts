import type { Emulator } from '../context.js';
import { cardFor, DECLINES, type Decline } from '../cards.js';
import { newId } from '../ids.js';
import type { CheckoutFlow } from '../store.js';
import type { CheckoutSession } from '../resources/checkout-sessions.js';
import { createCustomer, type Customer } from '../resources/customers.js';
import { openInvoicePayment } from '../resources/invoice-payments.js';
import { createSubscriptionInvoice, finalizeInvoice, recordInvoicePaid, recordInvoicePaymentFailed, type Invoice } from '../resources/invoices.js';
import { chargeIntent, createPaymentIntent, lastPaymentError, type PaymentIntent } from '../resources/payment-intents.js';
import { billingAddress, createPaymentMethod, type CardDetails, type PaymentMethod } from '../resources/payment-methods.js';
import type { Price } from '../resources/prices.js';
import { createSubscription, updateSubscription, type Subscription } from '../resources/subscriptions.js';

const DECLINE_AUTH_FAILED = DECLINES.authenticationFailed;

export type AttemptResult =
  | { kind: 'succeeded'; redirectUrl: string }
  | { kind: 'declined'; message: string }
  | { kind: 'requires_action'; attemptId: string };

/** Where Stripe sends the browser after a paid session: `success_url` with its placeholder filled. */
export function successRedirect(session: CheckoutSession): string {
  return session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id);
}

function flowOf(emu: Emulator, session: CheckoutSession): CheckoutFlow {
  return emu.store.checkoutFlows.get(session.id)!;
}

function linesOf(emu: Emulator, flow: CheckoutFlow): { price: Price; quantity: number }[] {
  return flow.lines.map((l) => ({ price: emu.store.collections.prices.require(l.priceId) as Price, quantity: l.quantity }));
}

/** The customer a session pays as: its own, one made earlier in this session, or a new one. */
function ensureCustomer(emu: Emulator, session: CheckoutSession, flow: CheckoutFlow, details: CardDetails): Customer {
  const id = session.customer ?? flow.customerId;
  if (id) return emu.store.collections.customers.require(id) as Customer;
  const customer = createCustomer(emu, { email: details.email, name: details.name, address: billingAddress(details) });
  flow.customerId = customer.id;
  return customer;
}

function ensureIntent(emu: Emulator, session: CheckoutSession, flow: CheckoutFlow, amount: number, customer: string | null, description: string | null): PaymentIntent {
  if (flow.paymentIntentId) return emu.store.collections.paymentIntents.require(flow.paymentIntentId) as PaymentIntent;
  const intent = createPaymentIntent(emu, {
    amount,
    currency: session.currency,
    customer,
    description,
    ...(session.mode === 'payment' ? { metadata: { ...flow.paymentIntentData.metadata } } : {}),
  });
  flow.paymentIntentId = intent.id;
  if (session.mode === 'payment') session.payment_intent = intent.id;
  emu.events.emit('payment_intent.created', intent);
  return intent;
}

interface Attempt {
  session: CheckoutSession;
  flow: CheckoutFlow;
  details: CardDetails;
  method: PaymentMethod;
  customer: Customer | null;
  subscription: Subscription | null;
  invoice: Invoice | null;
  intent: PaymentIntent | null;
}

/**
 * A page submit: objects are made and events emitted in Stripe's usual order (webhook delivery
 * starts once the page's answer has gone out). Payment mode makes a PaymentIntent on the first
 * try; subscription mode makes the customer, an `incomplete` subscription and its first invoice,
 * which later tries in the same session reuse, as Stripe's do.
 */
export function submitPayment(emu: Emulator, session: CheckoutSession, details: CardDetails): AttemptResult {
  const flow = flowOf(emu, session);
  const attempt = prepare(emu, session, flow, details);
  const behaviour = details.card.behaviour;
  if (behaviour.kind === 'requires_authentication') {
    const attemptId = newId('3ds', 20);
    flow.pendingAuthentication = { attemptId, paymentMethodId: attempt.method.id, details };
    // Without a PaymentIntent (a free trial) Stripe still authenticates the card, on its SetupIntent.
    const intent = attempt.intent;
    if (!intent) return { kind: 'requires_action', attemptId };
    intent.status = 'requires_action';
    intent.payment_method = attempt.method.id;
    intent.last_payment_error = null;
    intent.next_action = {
      type: 'use_stripe_sdk',
      use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `${emu.config.publicUrl}/c/pay/${session.id}/3ds/${attemptId}`, source: newId('src', 24) },
    };
    emu.events.emit('payment_intent.requires_action', intent);
    if (attempt.invoice) emu.events.emit('invoice.payment_action_required', attempt.invoice);
    return { kind: 'requires_action', attemptId };
  }
  // Nothing to charge yet (a trial): a card that attaches and only declines charges is saved.
  const declines = behaviour.kind === 'declines' && !(behaviour.attaches && !attempt.intent);
  return charge(emu, attempt, declines ? behaviour.decline : null, null);
}

/** The customer pressed Complete or Fail on the 3-D Secure test page. */
export function completeAuthentication(emu: Emulator, session: CheckoutSession, attemptId: string, outcome: 'complete' | 'fail'): AttemptResult | undefined {
  const flow = flowOf(emu, session);
  const pending = flow.pendingAuthentication;
  if (!pending || pending.attemptId !== attemptId) return undefined;
  delete flow.pendingAuthentication;
  const method = emu.store.collections.paymentMethods.require(pending.paymentMethodId) as PaymentMethod;
  const attempt = restore(emu, session, flow, pending.details, method);
  const intent = attempt.intent;
  if (outcome === 'fail') {
    // No intent (a free trial): nothing was to be paid, so only the session refuses the card.
    if (intent) {
      intent.next_action = null;
      intent.status = 'requires_payment_method';
      intent.last_payment_error = lastPaymentError(DECLINE_AUTH_FAILED, null, method);
      intent.payment_method = null;
      emu.events.emit('payment_intent.payment_failed', intent);
      if (attempt.invoice) recordInvoicePaymentFailed(emu, attempt.invoice);
    }
    return { kind: 'declined', message: DECLINE_AUTH_FAILED.message };
  }
  const after = cardFor(pending.details.number).behaviour;
  const decline = after.kind === 'requires_authentication' && after.after.kind === 'declines' ? after.after.decline : null;
  return charge(emu, attempt, decline, 'authenticated');
}


function prepare(emu: Emulator, session: CheckoutSession, flow: CheckoutFlow, details: CardDetails): Attempt {
  const method = createPaymentMethod(emu, details);
  if (session.mode === 'payment') {
    const customer = session.customer ? (emu.store.collections.customers.require(session.customer) as Customer) : null;
    const intent = ensureIntent(emu, session, flow, session.amount_total, customer?.id ?? null, flow.paymentIntentData.description);
    return { session, flow, details, method, customer, subscription: null, invoice: null, intent };
  }
  const customer = ensureCustomer(emu, session, flow, details);
  method.customer = customer.id;
  emu.events.emit('payment_method.attached', method);
  let subscription: Subscription;
  if (flow.subscriptionId) {
    subscription = emu.store.collections.subscriptions.require(flow.subscriptionId) as Subscription;
  } else {
    subscription = createSubscription(emu, {
      customer: customer.id,
      lines: linesOf(emu, flow),
      metadata: { ...flow.subscriptionData.metadata },
      description: flow.subscriptionData.description,
      trial: flow.subscriptionData.trial,
    });
    flow.subscriptionId = subscription.id;
    emu.events.emit('customer.subscription.created', subscription);
  }
  let invoice: Invoice;
  if (flow.invoiceId) {
    invoice = emu.store.collections.invoices.require(flow.invoiceId) as Invoice;
  } else {
    invoice = createSubscriptionInvoice(emu, subscription, customer);
    flow.invoiceId = invoice.id;
    subscription.latest_invoice = invoice.id;
    emu.events.emit('invoice.created', invoice);
    finalizeInvoice(emu, invoice, customer);
    emu.events.emit('invoice.finalized', invoice);
  }
  const intent = invoice.amount_due > 0 ? ensureIntent(emu, session, flow, invoice.amount_due, customer.id, 'Subscription creation') : null;
  if (intent) openInvoicePayment(emu, invoice, intent);
  return { session, flow, details, method, customer, subscription, invoice, intent };
}

function restore(emu: Emulator, session: CheckoutSession, flow: CheckoutFlow, details: CardDetails, method: PaymentMethod): Attempt {
  const get = <T>(id: string | undefined, collection: 'customers' | 'subscriptions' | 'invoices' | 'paymentIntents'): T | null =>
    id ? (emu.store.collections[collection].require(id) as unknown as T) : null;
  return {
    session,
    flow,
    details,
    method,
    customer: get<Customer>(session.customer ?? flow.customerId, 'customers'),
    subscription: get<Subscription>(flow.subscriptionId, 'subscriptions'),
    invoice: get<Invoice>(flow.invoiceId, 'invoices'),
    intent: get<PaymentIntent>(flow.paymentIntentId, 'paymentIntents'),
  };
}

function charge(emu: Emulator, attempt: Attempt, decline: Decline | null, threeDSecure: 'authenticated' | null): AttemptResult {
  const { intent, method } = attempt;
  if (!intent) {
    // Nothing to pay now (a free trial): Stripe still validates the card with a SetupIntent, and
    // the issuer's decline keeps the session open with the same message a charge would show.
    return decline ? { kind: 'declined', message: decline.message } : finish(emu, attempt);
  }
  chargeIntent(emu, intent, method, decline, threeDSecure);
  if (!decline) return finish(emu, attempt);
  if (attempt.invoice) recordInvoicePaymentFailed(emu, attempt.invoice);
  return { kind: 'declined', message: decline.message };
}

/** Paid (or nothing to pay): settle invoice and subscription, complete the session. */
function finish(emu: Emulator, attempt: Attempt): AttemptResult {
  const { session, flow, details, method, invoice, subscription } = attempt;
  let customer = attempt.customer;
  if (session.mode === 'payment' && !customer && flow.customerCreation === 'always') {
    customer = ensureCustomer(emu, session, flow, details);
    if (attempt.intent) attempt.intent.customer = customer.id;
  }
  if (invoice) {
    invoice.default_payment_method = null;
    recordInvoicePaid(emu, invoice);
  }
  if (subscription) {
    updateSubscription(emu, subscription, { status: subscription.trial_end ? 'trialing' : 'active', default_payment_method: method.id });
  }
  session.status = 'complete';
  session.payment_status = session.payment_status === 'no_payment_required' ? 'no_payment_required' : 'paid';
  session.customer = customer?.id ?? null;
  session.customer_details = {
    address: billingAddress(details),
    email: details.email,
    name: details.name,
    phone: null,
    tax_exempt: 'none',
    tax_ids: [],
    business_name: null,
    individual_name: null,
  };
  session.collected_information = { business_name: null, individual_name: null, shipping_details: null };
  session.subscription = subscription?.id ?? null;
  session.invoice = invoice?.id ?? null;
  session.url = null;
  emu.events.emit('checkout.session.completed', session);
  return { kind: 'succeeded', redirectUrl: successRedirect(session) };
}
