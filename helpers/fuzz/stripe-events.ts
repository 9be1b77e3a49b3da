import { randomBytes } from 'node:crypto';
import { API_VERSION } from '../../stripe-emulator/index.js';

/** A Stripe event as a webhook carries it. */
export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

export interface StripeEventsOptions {
  /** The customer's email (Checkout's `customer_details.email`). */
  email?: string;
  /** Your own user id: Checkout's `client_reference_id` and `metadata.user_id` on both objects. */
  userId?: string;
  customer?: string;
  subscription?: string;
  /**
   * What the Checkout sells: a `subscription` (the default) or a one-time purchase (`payment`),
   * whose session names a payment intent and no subscription.
   */
  mode?: CheckoutMode;
  /** The one-time purchase's PaymentIntent id (`mode: 'payment'`). */
  paymentIntent?: string;
  /** Merged into every object's metadata (e.g. `vibes_run`, so the replay server's filters find them). */
  metadata?: Record<string, string>;
  /** `created` of the first event built, unix seconds (default ten minutes ago); each next one is a second later. */
  start?: number;
  /**
   * Whether the event built `index`-th (1 for the second) gets the same `created` as the one built
   * before it, as the events of one change at Stripe often do (default never). The fuzzer draws these ties.
   */
  sameSecond?: (index: number) => boolean;
  /** The price in the smallest currency unit (default 2000; a month of a subscription) and its currency (default usd). */
  unitAmount?: number;
  currency?: string;
}

/** What a Checkout Session sells: a subscription, or a one-time purchase. */
export type CheckoutMode = 'subscription' | 'payment';

/** Why an invoice was made: the subscription's first, or a renewal. */
export type InvoiceBillingReason = 'subscription_create' | 'subscription_cycle';

/** The builder's billing period: a month of 30 days. */
const PERIOD_SECONDS = 30 * 86_400;

export function stripeId(prefix: string): string {
  return `${prefix}_test_${randomBytes(12).toString('hex')}`;
}

/**
 * Builds the events of one customer's subscription, in Stripe's shapes, with one customer and
 * subscription id throughout and `created` increasing (or the same second, where `sameSecond`
 * says so): the order Stripe made them in, which is not the order it delivers them in. Every
 * method returns a new event.
 */
export class StripeEventBuilder {
  readonly email: string | undefined;
  readonly userId: string | undefined;
  readonly customer: string;
  readonly subscription: string;
  readonly mode: CheckoutMode;
  readonly paymentIntent: string;
  private readonly charge = stripeId('ch');
  private readonly balanceTransaction = stripeId('txn');
  /** The charge's own `created`: that of its first event, less a second, whichever event comes first. */
  private chargeCreated: number | undefined;
  private readonly metadata: Record<string, string>;
  private readonly unitAmount: number;
  private readonly currency: string;
  private readonly price = stripeId('price');
  private readonly product = stripeId('prod');
  private readonly item = stripeId('si');
  private readonly sameSecond: (index: number) => boolean;
  private next: number;
  private built = 0;
  private subscriptionStart: number | undefined;
  /** Billing periods invoiced so far; a renewal invoices the next one. */
  private invoicedPeriods = 0;
  /** An invoice whose payment failed: the next invoice event for its reason is its retry, same id and period. */
  private unpaid: { id: string; period: number; billingReason: InvoiceBillingReason; attempts: number } | undefined;

  constructor(options: StripeEventsOptions = {}) {
    this.email = options.email;
    this.userId = options.userId;
    this.customer = options.customer ?? stripeId('cus');
    this.subscription = options.subscription ?? stripeId('sub');
    this.mode = options.mode ?? 'subscription';
    this.paymentIntent = options.paymentIntent ?? stripeId('pi');
    this.metadata = { ...(options.userId ? { user_id: options.userId } : {}), ...options.metadata };
    this.unitAmount = options.unitAmount ?? 2000;
    this.currency = options.currency ?? 'usd';
    this.next = options.start ?? Math.floor(Date.now() / 1000) - 600;
    this.sameSecond = options.sameSecond ?? (() => false);
  }

  /**
   * `checkout.session.completed` of a paid Checkout: a subscription's, or with `mode: 'payment'`
   * a one-time purchase's (its `payment_intent` set, `subscription` null). `session` overrides fields.
   */
  checkoutCompleted(session: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    const subscription = this.mode === 'subscription';
    return this.event('checkout.session.completed', created, {
      id: stripeId('cs'),
      object: 'checkout.session',
      mode: this.mode,
      status: 'complete',
      payment_status: 'paid',
      client_reference_id: this.userId ?? null,
      customer: this.customer,
      customer_email: this.email ?? null,
      customer_details: { email: this.email ?? null, name: null, phone: null, address: null, tax_exempt: 'none', tax_ids: [] },
      subscription: subscription ? this.subscription : null,
      invoice: null,
      payment_intent: subscription ? null : this.paymentIntent,
      amount_subtotal: this.unitAmount,
      amount_total: this.unitAmount,
      currency: this.currency,
      created: created - 60,
      expires_at: created + 86_340,
      livemode: false,
      metadata: { ...this.metadata },
      payment_method_types: ['card'],
      success_url: 'https://example.com/success',
      cancel_url: 'https://example.com/cancel',
      url: null,
      ...session,
    });
  }

  /** `customer.subscription.created`; status `active` unless told otherwise. */
  subscriptionCreated(status = 'active', fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    this.subscriptionStart ??= created;
    return this.event('customer.subscription.created', created, { ...this.subscriptionObject(status, created), ...fields });
  }

  /** `customer.subscription.updated` to `status`, with the previous status in `previous_attributes`. */
  subscriptionUpdated(status: string, previousStatus = 'active', fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    const event = this.event('customer.subscription.updated', created, { ...this.subscriptionObject(status, created), ...fields });
    event.data.previous_attributes = { status: previousStatus };
    return event;
  }

  /** `customer.subscription.deleted`: the subscription has ended (`canceled`). */
  subscriptionDeleted(fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    return this.event('customer.subscription.deleted', created, {
      ...this.subscriptionObject('canceled', created),
      canceled_at: created,
      ended_at: created,
      ...fields,
    });
  }

  /**
   * `invoice.paid` of the subscription's invoice: its first (`subscription_create`, the default)
   * or a renewal (`subscription_cycle`, each one a new invoice for the next month). An app that
   * grants on `invoice.paid` must treat a renewal as more of the same access, not a second grant.
   */
  invoicePaid(billingReason: InvoiceBillingReason = 'subscription_create', fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    return this.event('invoice.paid', created, { ...this.invoiceObject(billingReason, created, 'paid'), ...fields });
  }

  /**
   * `invoice.payment_failed`: a renewal (by default) the card did not pay; the invoice stays open,
   * and the next invoice event of the same billing reason is Stripe's retry of it (same id and period).
   */
  invoicePaymentFailed(billingReason: InvoiceBillingReason = 'subscription_cycle', fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    return this.event('invoice.payment_failed', created, { ...this.invoiceObject(billingReason, created, 'open'), ...fields });
  }

  /**
   * `payment_intent.succeeded` of the one-time purchase (`mode: 'payment'`): the customer's id,
   * no email (a receipt email only when the app asked for one), the latest charge.
   */
  paymentIntentSucceeded(fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    return this.event('payment_intent.succeeded', created, {
      id: this.paymentIntent,
      object: 'payment_intent',
      amount: this.unitAmount,
      amount_received: this.unitAmount,
      capture_method: 'automatic_async',
      created: created - 1,
      currency: this.currency,
      customer: this.customer,
      description: null,
      latest_charge: this.charge,
      livemode: false,
      metadata: { ...this.metadata },
      payment_method: stripeId('pm'),
      payment_method_types: ['card'],
      receipt_email: null,
      status: 'succeeded',
      ...fields,
    });
  }

  /**
   * `charge.succeeded` of the one-time purchase's payment intent; its billing details carry the
   * email. Captured asynchronously, as Stripe captures by default: no balance transaction yet.
   */
  chargeSucceeded(fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    return this.event('charge.succeeded', created, { ...this.chargeObject(created, null), ...fields });
  }

  /** `charge.updated` as Stripe sends it moments after `charge.succeeded`: the balance transaction is now set. */
  chargeUpdated(fields: Record<string, unknown> = {}): StripeEvent {
    const created = this.tick();
    const event = this.event('charge.updated', created, { ...this.chargeObject(created, this.balanceTransaction), ...fields });
    event.data.previous_attributes = { balance_transaction: null };
    return event;
  }

  private chargeObject(created: number, balanceTransaction: string | null): Record<string, unknown> {
    this.chargeCreated ??= created - 1;
    return {
      id: this.charge,
      object: 'charge',
      amount: this.unitAmount,
      amount_captured: this.unitAmount,
      amount_refunded: 0,
      balance_transaction: balanceTransaction,
      billing_details: { email: this.email ?? null, name: null, phone: null, address: null },
      captured: true,
      created: this.chargeCreated,
      currency: this.currency,
      customer: this.customer,
      livemode: false,
      metadata: {},
      paid: true,
      payment_intent: this.paymentIntent,
      refunded: false,
      status: 'succeeded',
    };
  }

  /** Any event around any object, with the next `created`. */
  custom(type: string, object: Record<string, unknown>): StripeEvent {
    return this.event(type, this.tick(), object);
  }

  private tick(): number {
    const index = this.built++;
    if (index > 0 && this.sameSecond(index)) return this.next - 1;
    return this.next++;
  }

  private event(type: string, created: number, object: Record<string, unknown>): StripeEvent {
    return {
      id: stripeId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
  }

  /** An invoice in the shape of API version basil: the subscription is under `parent`, the period on each line. */
  private invoiceObject(billingReason: InvoiceBillingReason, now: number, status: 'paid' | 'open'): Record<string, unknown> {
    this.subscriptionStart ??= now;
    const retry = this.unpaid?.billingReason === billingReason ? this.unpaid : undefined;
    const period = retry?.period ?? (billingReason === 'subscription_create' ? 0 : Math.max(1, this.invoicedPeriods));
    this.invoicedPeriods = Math.max(this.invoicedPeriods, period + 1);
    const id = retry?.id ?? stripeId('in');
    const attempts = (retry?.attempts ?? 0) + 1;
    const paid = status === 'paid';
    this.unpaid = paid ? undefined : { id, period, billingReason, attempts };
    const start = this.subscriptionStart + period * PERIOD_SECONDS;
    const end = start + PERIOD_SECONDS;
    return {
      id,
      object: 'invoice',
      billing_reason: billingReason,
      collection_method: 'charge_automatically',
      created: now,
      currency: this.currency,
      customer: this.customer,
      customer_email: this.email ?? null,
      amount_due: this.unitAmount,
      amount_paid: paid ? this.unitAmount : 0,
      amount_remaining: paid ? 0 : this.unitAmount,
      attempt_count: attempts,
      attempted: true,
      livemode: false,
      metadata: {},
      subscription: this.subscription,
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: this.subscription, metadata: { ...this.metadata } } },
      period_start: billingReason === 'subscription_create' ? start : start - PERIOD_SECONDS,
      period_end: start,
      status,
      status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: paid ? now : null, voided_at: null },
      lines: {
        object: 'list',
        data: [
          {
            id: stripeId('il'),
            object: 'line_item',
            amount: this.unitAmount,
            currency: this.currency,
            invoice: id,
            period: { start, end },
            quantity: 1,
            subscription: this.subscription,
            parent: {
              type: 'subscription_item_details',
              invoice_item_details: null,
              subscription_item_details: { subscription: this.subscription, subscription_item: this.item, proration: false, invoice_item: null },
            },
            pricing: { type: 'price_details', price_details: { price: this.price, product: this.product }, unit_amount_decimal: String(this.unitAmount) },
          },
        ],
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      },
    };
  }

  private subscriptionObject(status: string, now: number): Record<string, unknown> {
    const start = this.subscriptionStart ?? now;
    const periodEnd = start + PERIOD_SECONDS;
    return {
      id: this.subscription,
      object: 'subscription',
      customer: this.customer,
      status,
      created: start,
      start_date: start,
      billing_cycle_anchor: start,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      ended_at: null,
      collection_method: 'charge_automatically',
      currency: this.currency,
      latest_invoice: null,
      livemode: false,
      metadata: { ...this.metadata },
      trial_start: null,
      trial_end: null,
      items: {
        object: 'list',
        data: [
          {
            id: this.item,
            object: 'subscription_item',
            created: start,
            current_period_start: start,
            current_period_end: periodEnd,
            metadata: {},
            quantity: 1,
            subscription: this.subscription,
            price: {
              id: this.price,
              object: 'price',
              active: true,
              currency: this.currency,
              unit_amount: this.unitAmount,
              product: this.product,
              recurring: { interval: 'month', interval_count: 1 },
              type: 'recurring',
            },
          },
        ],
        has_more: false,
        url: `/v1/subscription_items?subscription=${this.subscription}`,
      },
    };
  }
}

/** A builder for one subject's events: `stripeEvents({ email }).checkoutCompleted()`. */
export function stripeEvents(options: StripeEventsOptions = {}): StripeEventBuilder {
  return new StripeEventBuilder(options);
}
