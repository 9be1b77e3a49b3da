import { test } from 'playwright-vibes';

test('creates a Stripe customer and then hangs until killed', async ({ user, stripe }) => {
  await stripe.customers.create({ email: user.email, metadata: { vibes_run: user.run } });
  console.log(`CREATED ${user.email}`);
  await new Promise(() => {});
});

test('an ordinary test of the next run', async ({ user }) => {
  test.expect(user.email).toContain('@');
});

test('passes, but a removal it deferred fails', async ({ cleanup }) => {
  await cleanup.defer('a record the app keeps', () => {
    throw new Error('the app answered 500');
  });
});
