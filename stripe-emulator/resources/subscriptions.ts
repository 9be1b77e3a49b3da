import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { searchFields } from '../search.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import { nowFor, testClockOf } from '../time.js';
import { createdFilter, paginate } from '../list.js';
import { emptyMetadata, type EventRequest, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, retrieveRoute, searchRoute, send } from '../http/respond.js';
import { planOf, type Interval, type Price } from './prices.js';
import { applyUpdate } from './updates.js';

export type SubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused';

export interface SubscriptionItem extends StripeObject {
  object: 'subscription_item';
  price: Price;
  quantity: number;
  current_period_start: number;
  current_period_end: number;
}

export interface Subscription extends StripeObject {
  object: 'subscription';
  customer: string;
  status: SubscriptionStatus;
  currency: string;
  metadata: Metadata;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: boolean; url: string };
  latest_invoice: string | null;
  default_payment_method: string | null;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null };
  trial_start: number | null;
  trial_end: number | null;
  description: string | null;
  test_clock: string | null;
}

/** The end of one billing period, calendar-aware as Stripe's (Jan 31 + 1 month = Feb 28/29). */
export function addInterval(start: number, interval: Interval, count: number): number {
  const date = new Date(start * 1000);
  if (interval === 'day') date.setUTCDate(date.getUTCDate() + count);
  else if (interval === 'week') date.setUTCDate(date.getUTCDate() + 7 * count);
  else {
    const months = interval === 'year' ? 12 * count : count;
    const day = date.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
  }
  return Math.floor(date.getTime() / 1000);
}

/** A trial of some days from the subscription's start (`trial_period_days`), or to a set time (`trial_end`). */
export type Trial = { days: number } | { end: number };

export function createSubscription(
  emu: Emulator,
  input: { customer: string; lines: { price: Price; quantity: number }[]; metadata?: Metadata; description?: string | null; trial?: Trial | null },
): Subscription {
  const now = nowFor(emu, input.customer);
  const id = newId('sub', 24);
  const first = input.lines[0]!.price;
  const trialEnd = !input.trial ? null : 'days' in input.trial ? now + input.trial.days * 86_400 : input.trial.end;
  const periodEnd = trialEnd ?? addInterval(now, first.recurring?.interval ?? 'month', first.recurring?.interval_count ?? 1);
  const sub: Subscription = {
    id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { enabled: false, liability: null, disabled_reason: null },
    billing_cycle_anchor: trialEnd ?? now,
    billing_cycle_anchor_config: null,
    cancel_at: null,
    canceled_at: null,
    cancellation_details: { comment: null, feedback: null, reason: null },
    collection_method: 'charge_automatically',
    created: now,
    currency: first.currency,
    customer: input.customer,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: input.description ?? null,
    discounts: [],
    ended_at: null,
    invoice_settings: { account_tax_ids: null, issuer: { type: 'self' }, custom_fields: null, description: null, footer: null },
    items: {
      object: 'list',
      data: input.lines.map(({ price, quantity }) => ({
        id: newId('si', 14),
        object: 'subscription_item',
        billing_thresholds: null,
        created: now,
        current_period_end: periodEnd,
        current_period_start: now,
        discounts: [],
        metadata: emptyMetadata(),
        plan: planOf(price),
        price: structuredClone(price),
        quantity,
        subscription: id,
        tax_rates: [],
      })),
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: null,
    livemode: false,
    metadata: input.metadata ?? emptyMetadata(),
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: { payment_method_options: null, payment_method_types: null, save_default_payment_method: 'off' },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: now,
    status: 'incomplete',
    test_clock: testClockOf(emu, input.customer),
    transfer_data: null,
    trial_end: trialEnd,
    trial_settings: { end_behavior: { missing_payment_method: 'create_invoice' } },
    trial_start: trialEnd ? now : null,
    cancel_at_period_end: false,
    billing_thresholds: null,
    billing_mode: { type: 'classic', flexible: null },
    customer_account: null,
    managed_payments: { enabled: false },
    billing_schedules: [],
  };
  return emu.store.collections.subscriptions.add(sub) as Subscription;
}

/** Changes fields and emits `customer.subscription.updated` with the previous values, as Stripe does. */
export function updateSubscription(emu: Emulator, sub: Subscription, changes: Partial<Subscription>, request?: EventRequest): void {
  applyUpdate(emu, sub, changes, 'customer.subscription.updated', request);
}

/**
 * The changes that schedule a cancellation at the period's end, or take it back, as
 * `cancel_at_period_end` does through the API and the billing portal's "Cancel plan".
 */
export function periodEndCancellation(emu: Emulator, sub: Subscription, cancel: boolean, details = sub.cancellation_details): Partial<Subscription> {
  return {
    cancel_at_period_end: cancel,
    cancel_at: cancel ? (sub.items.data[0]?.current_period_end ?? null) : null,
    canceled_at: cancel ? nowFor(emu, sub.customer) : null,
    cancellation_details: { ...details, reason: cancel ? 'cancellation_requested' : null },
  };
}

/** Cancels at once: `canceled`, with `customer.subscription.deleted`. */
export function cancelSubscription(emu: Emulator, sub: Subscription, request?: EventRequest, details: { comment?: string | null; feedback?: string | null } = {}): void {
  const now = nowFor(emu, sub.customer);
  sub.status = 'canceled';
  sub.canceled_at = now;
  sub.ended_at = now;
  sub.cancel_at_period_end = false;
  sub.cancellation_details = { comment: details.comment ?? null, feedback: details.feedback ?? null, reason: 'cancellation_requested' };
  emu.events.emit('customer.subscription.deleted', sub, request ? { request } : {});
}

const STATUSES = ['active', 'all', 'canceled', 'ended', 'incomplete', 'incomplete_expired', 'past_due', 'paused', 'trialing', 'unpaid'] as const;

export function registerSubscriptions(router: Router, emu: Emulator): void {
  const subscriptions = emu.store.collections.subscriptions;

  router.get('/v1/subscriptions', (req, res) => {
    const params = paramsOf(req);
    const customer = params.string('customer');
    const price = params.string('price');
    const status = params.enumeration('status', STATUSES);
    const created = createdFilter(params);
    // Stripe lists a test clock's subscriptions only when asked for that clock or their customer.
    const testClock = params.string('test_clock');
    params.accept('collection_method', 'current_period_end', 'current_period_start', 'automatic_tax');
    const all = subscriptions.newestFirst() as Subscription[];
    const items = all.filter((s) => {
      if (testClock !== undefined ? s.test_clock !== testClock : customer === undefined && s.test_clock !== null) return false;
      // Stripe's default leaves out canceled subscriptions; `status=all` includes them.
      const statusOk =
        status === 'all' ? true : status === undefined ? s.status !== 'canceled' : status === 'ended' ? s.status === 'canceled' || s.status === 'incomplete_expired' : s.status === status;
      return statusOk && (customer === undefined || s.customer === customer) && (price === undefined || s.items.data.some((i) => i.price.id === price)) && created(s);
    });
    const page = paginate(items, params, '/v1/subscriptions', 'subscription', all);
    params.done();
    send(emu, res, page, params);
  });

  searchRoute(router, emu, '/v1/subscriptions', () => subscriptions.newestFirst(), searchFields('created', 'metadata', 'status'));
  retrieveRoute(router, emu, '/v1/subscriptions', subscriptions);

  router.post('/v1/subscriptions/:id', (req, res) => {
    const params = paramsOf(req);
    const sub = subscriptions.require(pathParam(req, 'id')) as Subscription;
    const changes: Partial<Subscription> = {};
    const metadata = params.metadata('metadata', sub.metadata);
    if (metadata !== undefined) changes.metadata = metadata;
    const description = params.nullableString('description', { max: 500 });
    if (description !== undefined) changes.description = description;
    const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
    const details = params.object('cancellation_details');
    let cancellation: Subscription['cancellation_details'] | undefined;
    if (details) {
      // Left out keeps a field; '' clears it (null), as on Stripe.
      const comment = details.nullableString('comment');
      const feedback = details.nullableString('feedback');
      cancellation = {
        ...sub.cancellation_details,
        comment: comment === undefined ? sub.cancellation_details.comment : comment,
        feedback: feedback === undefined ? sub.cancellation_details.feedback : feedback,
      };
      details.done();
    }
    params.accept('proration_behavior', 'payment_behavior', 'off_session');
    params.notEmulated('items', 'cancel_at', 'trial_end', 'default_payment_method', 'pause_collection', 'discounts', 'billing_cycle_anchor');
    params.done();
    // As on Stripe, a canceled subscription still takes metadata and cancellation_details (apps
    // record why a customer left); anything else is refused.
    if (sub.status === 'canceled' && (description !== undefined || cancelAtPeriodEnd !== undefined)) {
      throw errors.invalidState(`A canceled subscription can only update its cancellation_details and metadata.`);
    }
    if (cancelAtPeriodEnd !== undefined) {
      Object.assign(changes, periodEndCancellation(emu, sub, cancelAtPeriodEnd, cancellation ?? sub.cancellation_details));
    } else if (cancellation) {
      changes.cancellation_details = cancellation;
    }
    updateSubscription(emu, sub, changes, eventRequest(res));
    send(emu, res, sub, params);
  });

  router.delete('/v1/subscriptions/:id', (req, res) => {
    const params = paramsOf(req);
    const sub = subscriptions.require(pathParam(req, 'id')) as Subscription;
    const details = params.object('cancellation_details');
    const comment = details?.nullableString('comment');
    const feedback = details?.nullableString('feedback');
    details?.done();
    params.accept('invoice_now', 'prorate');
    params.done();
    if (sub.status === 'canceled') {
      // Stripe answers a second cancel as if the subscription were gone.
      throw errors.resourceMissing('subscription', sub.id);
    }
    cancelSubscription(emu, sub, eventRequest(res), { comment: comment ?? null, feedback: feedback ?? null });
    send(emu, res, sub, params);
  });
}
