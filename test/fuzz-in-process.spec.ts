import Stripe from 'stripe';
import { test, expect } from '@playwright/test';
import { grantHandler, memoryStore, type Dedupe, type GrantStore, type WebhookRequest } from '../examples/in-process/grant-handler.js';
import { formatCounterexample, fuzzHandler, type FuzzResult, type HandlerFuzzOptions, type StripeEvent } from '../helpers/index.js';

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
