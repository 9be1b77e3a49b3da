import type { Router } from 'express';
import { nextBoundary, passBoundary } from '../billing/renewal.js';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import { paginate } from '../list.js';
import type { StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, retrieveRoute, send } from '../http/respond.js';
import { deleteCustomer, type Customer } from './customers.js';
import { addInterval, type Subscription } from './subscriptions.js';

export interface TestClock extends StripeObject {
  object: 'test_helpers.test_clock';
  created: number;
  deletes_after: number;
  frozen_time: number;
  name: string | null;
  status: 'ready' | 'advancing' | 'internal_failure';
}

/** Stripe deletes a test clock, with everything on it, a week after it was made. */
const LIFETIME_SECONDS = 7 * 86_400;

function customersOn(emu: Emulator, clock: TestClock): Customer[] {
  return (emu.store.collections.customers.newestFirst() as Customer[]).filter((c) => c.test_clock === clock.id && !emu.store.deletedCustomers.has(c.id));
}

function subscriptionsOn(emu: Emulator, clock: TestClock): Subscription[] {
  return (emu.store.collections.subscriptions.newestFirst() as Subscription[]).filter((sub) => sub.test_clock === clock.id);
}

/**
 * How far Stripe lets a clock advance at once: two intervals of its shortest billing
 * subscription, or two years when it has none.
 */
function advanceLimit(emu: Emulator, clock: TestClock): number {
  const limits = subscriptionsOn(emu, clock)
    .filter((sub) => nextBoundary(sub) !== undefined)
    .map((sub) => {
      const recurring = sub.items.data[0]!.price.recurring;
      return addInterval(clock.frozen_time, recurring?.interval ?? 'month', 2 * (recurring?.interval_count ?? 1));
    });
  return limits.length > 0 ? Math.min(...limits) : addInterval(clock.frozen_time, 'year', 2);
}

/**
 * Moves the clock to `to`, one boundary at a time (the earliest of any subscription on it), so
 * that each renewal, trial end or scheduled cancellation happens at its own time and in order.
 */
function advance(emu: Emulator, clock: TestClock, to: number): void {
  const customers = new Map(customersOn(emu, clock).map((c) => [c.id, c]));
  for (;;) {
    const due = subscriptionsOn(emu, clock)
      .map((sub) => ({ sub, at: nextBoundary(sub) }))
      .filter((next): next is { sub: Subscription; at: number } => next.at !== undefined && next.at <= to && customers.has(next.sub.customer))
      .sort((a, b) => a.at - b.at)[0];
    if (!due) break;
    clock.frozen_time = due.at;
    passBoundary(emu, due.sub, customers.get(due.sub.customer)!);
  }
  clock.frozen_time = to;
}

/**
 * Stripe's test clocks (`stripe.testHelpers.testClocks`): a customer created on one lives at its
 * frozen time, and advancing it runs what that time brings: renewals with their invoices and
 * charges, trial ends, cancellations scheduled for the period's end.
 */
export function registerTestClocks(router: Router, emu: Emulator): void {
  const clocks = emu.store.collections.testClocks;
  const path = '/v1/test_helpers/test_clocks';

  router.post(path, (req, res) => {
    const params = paramsOf(req);
    const frozenTime = params.integer('frozen_time', { required: true })!;
    const name = params.string('name', { max: 300 });
    params.done();
    const created = emu.clock.now();
    const clock: TestClock = {
      id: newId('clock', 24),
      object: 'test_helpers.test_clock',
      created,
      deletes_after: created + LIFETIME_SECONDS,
      frozen_time: frozenTime,
      livemode: false,
      name: name ?? null,
      status: 'ready',
      status_details: {},
    };
    clocks.add(clock);
    emu.events.emit('test_helpers.test_clock.created', clock, { request: eventRequest(res) });
    send(emu, res, clock, params);
  });

  router.get(path, (req, res) => {
    const params = paramsOf(req);
    const all = clocks.newestFirst();
    const page = paginate(all, params, path, 'test_helpers.test_clock');
    params.done();
    send(emu, res, page, params);
  });

  retrieveRoute(router, emu, path, clocks);

  router.post(`${path}/:id/advance`, (req, res) => {
    const params = paramsOf(req);
    const clock = clocks.require(pathParam(req, 'id')) as TestClock;
    const to = params.integer('frozen_time', { required: true })!;
    params.done();
    if (to <= clock.frozen_time) {
      throw errors.invalidValue('frozen_time', `The frozen_time must be after the test clock's current frozen_time (${clock.frozen_time}).`);
    }
    const limit = advanceLimit(emu, clock);
    if (to > limit) {
      throw errors.invalidValue(
        'frozen_time',
        `A test clock cannot advance more than two intervals of its shortest subscription (two years without one) at once: at most to ${limit}. Advance in steps.`,
      );
    }
    const request = eventRequest(res);
    clock.status = 'advancing';
    const answer = structuredClone(clock);
    emu.events.emit('test_helpers.test_clock.advancing', clock, { request });
    advance(emu, clock, to);
    clock.status = 'ready';
    emu.events.emit('test_helpers.test_clock.ready', clock);
    // Stripe answers while the clock advances; a client waits for `ready` by retrieving it.
    send(emu, res, answer, params);
  });

  router.delete(`${path}/:id`, (req, res) => {
    const params = paramsOf(req);
    params.done();
    const clock = clocks.require(pathParam(req, 'id')) as TestClock;
    const request = eventRequest(res);
    // Everything on the clock goes with it.
    for (const customer of customersOn(emu, clock)) deleteCustomer(emu, customer, request);
    clocks.delete(clock.id);
    emu.events.emit('test_helpers.test_clock.deleted', clock, { request });
    send(emu, res, { id: clock.id, object: 'test_helpers.test_clock', deleted: true }, params);
  });
}
