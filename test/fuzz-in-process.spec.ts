import Stripe from 'stripe';
import { test, expect } from '@playwright/test';
import { grantHandler, memoryStore, type Dedupe, type GrantStore, type WebhookRequest } from '../examples/in-process/grant-handler.js';
import { fuzzHandler, statusOf, type FuzzResult, type HandlerFuzzOptions, type StripeEvent } from '../helpers/index.js';
import { formatCounterexample } from '../helpers/fuzz/report.js';

const SECRET = `whsec_in_process_${process.pid}`;

interface Subject {
  email: string;
  paid: StripeEvent;
  grantsOf(email: string): number;
}

/** The handler's own property: Pro exactly once per checkout, whatever the deliveries and however their awaits interleave. */
function property(handler: (request: WebhookRequest, store: GrantStore) => Promise<number>, name: string): HandlerFuzzOptions<Subject, GrantStore> {
  return {
    name,
    secret: SECRET,
    env: {},
    setup({ email, stripeEvents }) {
      const { store, grantsOf } = memoryStore();
      const paid = stripeEvents.checkoutCompleted();
      return { subject: { email, paid, grantsOf }, events: [paid], deps: store };
    },
    handler,
    invariant({ subject, run }) {
      run.expectAppliedOnce(subject.paid, subject.grantsOf(subject.email), 'Pro grants');
    },
  };
}

const handlerFor = (dedupe: Dedupe) => property(grantHandler(SECRET, dedupe), `in-process grant handler (${dedupe})`);
const show = (result: FuzzResult) => (result.passed ? `no counterexample (seed ${result.seed})` : formatCounterexample(result));

test.describe('fuzz in process, awaits interleaved by fast-check\'s scheduler', () => {
  test('finds check-then-insert granting twice when two copies interleave, shrunk to two deliveries', async () => {
    const result = await fuzzHandler(handlerFor('check-then-insert'));
    console.log(show(result));
    expect(result.passed, show(result)).toBe(false);
    const example = result.counterexample!;
    expect(example.message).toMatch(/^Pro grants: happened 2 times, but #0 checkout\.session\.completed .* exactly once/);
    expect(example.deliveries).toBe(2);
    expect(example.rows.map((r) => [r.index, r.signature])).toEqual([[0, 'fresh'], [0, 'fresh']]);
    // Both copies were under way at once: in one group, or the first cut off and still running.
    const [first, second] = example.rows;
    expect(first!.group === second!.group || first!.cutOff).toBe(true);
    // The scheduler's report shows the interleaving that broke it.
    expect(example.details).toMatch(/^fast-check's scheduler/);
    expect(example.details).toMatch(/seen/);
  });

  test('finds nothing in claim-first across 10 seeds of 100 runs', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await fuzzHandler({ ...handlerFor('claim-first'), seed, numRuns: 100 });
      expect(result.passed, show(result)).toBe(true);
      expect(result.executions).toBe(100);
    }
  });

  test('a handler that never looks at the signature is found by a forged copy alone', async () => {
    const claimFirst = grantHandler(SECRET, 'claim-first');
    // The same handler, but every body is re-signed before it sees it: as if it skipped the check.
    const trusting = (request: WebhookRequest, store: GrantStore) =>
      claimFirst({ ...request, headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: request.body, secret: SECRET }) } }, store);
    const result = await fuzzHandler(property(trusting, 'in-process handler that trusts any body'));
    expect(result.passed, show(result)).toBe(false);
    expect(result.counterexample!.message).toMatch(/should take effect never: no genuinely signed copy reached the app/);
    expect(result.counterexample!.deliveries).toBe(1);
    expect(result.counterexample!.rows[0]!.signature).not.toBe('fresh');
  });
});

/** A subscription's stored status: the row an app keeps, written by one atomic statement. */
interface StatusStore {
  /** Stores the status unless `keep` says the stored row stands (an UPDATE … WHERE, atomic). */
  upsert(id: string, status: string, created: number, keep: (stored: { status: string; created: number }) => boolean): Promise<void>;
}

const FINAL = ['canceled', 'incomplete_expired'];
type Ordering = 'ties-by-arrival' | 'final-stays';

/** Applies `customer.subscription.*` events newest first; between events of one second, `ordering` decides. */
function statusHandler(ordering: Ordering) {
  return async ({ body, headers }: WebhookRequest, store: StatusStore): Promise<number> => {
    const event = Stripe.webhooks.constructEvent(body, headers['stripe-signature'] ?? '', SECRET);
    if (!event.type.startsWith('customer.subscription.')) return 200;
    const subscription = event.data.object as Stripe.Subscription;
    const status = event.type === 'customer.subscription.deleted' ? 'canceled' : subscription.status;
    await store.upsert(subscription.id, status, event.created, (stored) =>
      ordering === 'final-stays' ? FINAL.includes(stored.status) || stored.created > event.created : stored.created > event.created,
    );
    return 200;
  };
}

function lifecycleProperty(ordering: Ordering, sameSecond = true): HandlerFuzzOptions<{ events: StripeEvent[]; statusOf(): string | undefined; id: string }, StatusStore> {
  return {
    name: `in-process subscription status (${ordering})`,
    secret: SECRET,
    env: {},
    sameSecond,
    setup({ stripeEvents }) {
      const rows = new Map<string, { status: string; created: number }>();
      const store: StatusStore = {
        async upsert(id, status, created, keep) {
          const stored = rows.get(id);
          if (!stored || !keep(stored)) rows.set(id, { status, created });
        },
      };
      const events = [stripeEvents.subscriptionCreated('active'), stripeEvents.subscriptionUpdated('past_due'), stripeEvents.subscriptionDeleted()];
      const id = stripeEvents.subscription;
      return { subject: { events, id, statusOf: () => rows.get(id)?.status }, events, deps: store };
    },
    handler: statusHandler(ordering),
    invariant({ subject, run }) {
      run.expectNewestState(subject.events, subject.statusOf(), statusOf, 'the subscription status');
    },
  };
}

test.describe('fuzz in process: events of the same second', () => {
  test('finds a cancellation undone by a late event of the same second, which only ties can show', async () => {
    // Without ties, breaking them by arrival order is never wrong: each seed finds nothing.
    for (let seed = 1; seed <= 5; seed++) {
      const result = await fuzzHandler({ ...lifecycleProperty('ties-by-arrival', false), seed, numRuns: 100 });
      expect(result.passed, show(result)).toBe(true);
    }
    const result = await fuzzHandler({ ...lifecycleProperty('ties-by-arrival'), seed: 1, numRuns: 100 });
    console.log(show(result));
    expect(result.passed, show(result)).toBe(false);
    const example = result.counterexample!;
    expect(example.message).toMatch(/^the subscription status is "past_due" .*, but should be "canceled" .*: the app acknowledged #2 customer\.subscription\.deleted .*, whose "canceled" is final\.$/);
    // Shrunk to the two events of one second, the deletion first.
    expect(example.rows.map((r) => r.index)).toEqual([2, 1]);
    const created = example.file.events.map((e) => e.created);
    expect(created[1]).toBe(created[2]);
    // The file keeps the tie in build order, so a replay of it rebuilds it.
    expect(example.file.header.sameSecond).toEqual([false, true]);
  });

  test('finds nothing in a handler that never leaves a final status, across 10 seeds of 100 runs', async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const result = await fuzzHandler({ ...lifecycleProperty('final-stays'), seed, numRuns: 100 });
      expect(result.passed, show(result)).toBe(true);
    }
  });
});
