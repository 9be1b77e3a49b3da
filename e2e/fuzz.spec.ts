import { test, expect, statusOf, type StripeEvent } from 'playwright-vibes';
import type { APIRequestContext, PlaywrightWorkerArgs } from '@playwright/test';

// Property tests over delivery schedules: each run signs up a fresh user over HTTP (no browser),
// fast-check draws how Stripe delivers the events (duplicates, odd orders, concurrent copies,
// copies cut off before the app answers, forged signatures), and the app's state is checked.
// A failure prints the seed, the path, the shrunk schedule and how to reproduce it.
test.describe.configure({ timeout: 180_000 });

test('Pro is granted exactly once, however often and however signed Stripe delivers checkout @fuzz', async ({ webhooks, playwright, baseURL }) => {
  await webhooks.fuzz({
    async setup({ email, stripeEvents }) {
      await signUp(playwright, baseURL!, email);
      const paid = stripeEvents.checkoutCompleted();
      return { subject: { email, paid }, events: [paid] };
    },
    async invariant({ subject, run, grants }) {
      // Exactly once if the app acknowledged a genuine copy, at most once if one was cut off,
      // never if only forged copies reached it.
      run.expectAppliedOnce(subject.paid, await grants(subject.email), 'Pro grants');
    },
  });
});

test('a subscription ends in the state of its newest event, whatever order Stripe delivers in @fuzz', async ({ webhooks, playwright, baseURL }) => {
  await webhooks.fuzz({
    async setup({ email, stripeEvents }) {
      await signUp(playwright, baseURL!, email);
      const paid = stripeEvents.checkoutCompleted();
      const lifecycle: StripeEvent[] = [
        stripeEvents.subscriptionCreated('active'),
        stripeEvents.subscriptionUpdated('past_due'),
        stripeEvents.subscriptionDeleted(),
      ];
      return { subject: { email, paid, lifecycle, subscription: stripeEvents.subscription }, events: [paid, ...lifecycle] };
    },
    async invariant({ subject, run, grants, query }) {
      run.expectAppliedOnce(subject.paid, await grants(subject.email), 'Pro grants');
      const [row] = await query<{ status: string }>('select status from demo.subscriptions where stripe_subscription_id = $1', [subject.subscription]);
      run.expectNewestState(subject.lifecycle, row?.status, statusOf, 'the subscription status');
    },
  });
});

/** Signs up through the app's own form, as a visitor would, in a cookie jar of its own. */
async function signUp(playwright: PlaywrightWorkerArgs['playwright'], baseURL: string, email: string): Promise<void> {
  const visitor: APIRequestContext = await playwright.request.newContext({ baseURL });
  try {
    const form = await (await visitor.get('/signup')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)?.[1];
    expect(csrf, 'the sign-up form carries a CSRF token').toBeDefined();
    const response = await visitor.post('/signup', { form: { email, password: 'fuzz-subject-password', _csrf: csrf! }, maxRedirects: 0 });
    expect(response.status(), `sign-up of ${email}: ${(await response.text()).slice(0, 300)}`).toBe(303);
  } finally {
    await visitor.dispose();
  }
}
