import { formatTimeline } from '../helpers/timeline.js';
import { test, expect } from './support/replay-fixtures.js';
import { stripeEvent } from './support/replay-events.js';
import { loopbackSite } from './support/loopback-site.js';

test.describe('the webhook timeline in failure messages @db', () => {
  test("says why the app refused a delivery, in the app's words, once while it repeats", async ({ startHarness }) => {
    const { client } = await startHarness();
    const event = await client.inject(stripeEvent('checkout.session.completed', 'checkout.session').raw, { deliver: false });
    await client.replay(event.id, { times: 2, signature: 'missing' });
    await client.replay(event.id, { signature: 'fresh' });
    const lines = formatTimeline([await client.getEvent(event.id)]).split('\n');
    expect(lines.slice(1).map((line) => line.replace(/^\s+\S+\s+/, '').replace(/ in \d+ ms/, ''))).toEqual([
      'replay  missing      -> 400: "Webhook Error: No stripe-signature header value was provided."',
      'replay  missing      -> 400 (the same answer)',
      'replay  fresh        -> 200',
    ]);
  });
  test('leads with one line when the app took no genuinely signed delivery, and says nothing so when it took one', async ({ startHarness }) => {
    // A server that signs with another secret than the app's: every copy it signs is refused.
    const app = await startHarness();
    const wrongSecret = await startHarness({ receiver: false, secret: 'whsec_not_the_apps', forwardTo: app.receiver.url });
    const refused = await wrongSecret.client.inject(stripeEvent('checkout.session.completed', 'checkout.session').raw, { deliver: false });
    await wrongSecret.client.replay(refused.id, { times: 3 });
    // A forged copy does not count: only genuine ones say whether the app takes webhooks.
    await wrongSecret.client.replay(refused.id, { signature: 'missing' });
    const lines = formatTimeline([await wrongSecret.client.getEvent(refused.id)]).split('\n');
    expect(lines[0]).toMatch(/^  The app took no genuinely signed delivery \(3\); each got 400 "Webhook Error: No signatures found matching the expected signature for payload[^"]*"\. Does its webhook verify with the run's STRIPE_WEBHOOK_SECRET, on the raw body\?$/);
    expect(lines).toHaveLength(6);

    const { client } = await startHarness();
    const taken = await client.inject(stripeEvent('checkout.session.completed', 'checkout.session').raw, { deliver: false });
    await client.replay(taken.id, { signature: 'stale' });
    await client.replay(taken.id);
    expect(formatTimeline([await client.getEvent(taken.id)])).not.toContain('took no genuinely signed delivery');
  });

  test('a 404 at the webhook URL is said as a route the app does not serve, not as a signature it refused', async ({ startHarness }) => {
    const nest = await loopbackSite(() => ({ status: 404, body: '{"message":"Cannot POST /api/stripe/webhook","error":"Not Found","statusCode":404}' }));
    try {
      const { client } = await startHarness({ receiver: false, forwardTo: `${nest.url}/api/stripe/webhook` });
      const event = await client.inject(stripeEvent('checkout.session.completed', 'checkout.session').raw, { deliver: false });
      await client.replay(event.id, { times: 2 });
      const [lead] = formatTimeline([await client.getEvent(event.id)]).split('\n');
      expect(lead).toContain('each got 404 "{"message":"Cannot POST /api/stripe/webhook"');
      expect(lead).toMatch(/Does the app serve POST at webhooks\.forwardTo\? That is where the deliveries went\.$/);
      expect(lead).not.toContain('raw body');
    } finally {
      await nest.close();
    }
  });

  test("a redirect is said as one, and an HTML error page by its title (Django's APPEND_SLASH, its debug page)", async ({ startHarness }) => {
    const style = `<style>${'html * { padding:0; margin:0; } '.repeat(40)}</style>`;
    const django = await loopbackSite((req) =>
      req.url === '/stripe/webhook'
        ? { status: 301, body: '' }
        : { status: 500, body: `<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta name="robots" content="NONE,NOARCHIVE">\n  <title>DoesNotExist at /stripe/webhook/</title>\n  ${style}</head><body><h1>DoesNotExist</h1></body></html>` });
    try {
      const redirected = await startHarness({ receiver: false, forwardTo: `${django.url}/stripe/webhook` });
      const event = await redirected.client.inject(stripeEvent('checkout.session.completed', 'checkout.session').raw, { deliver: false });
      await redirected.client.replay(event.id);
      const [lead] = formatTimeline([await redirected.client.getEvent(event.id)]).split('\n');
      expect(lead).toContain('each got 301. A redirect: the app sends POSTs at webhooks.forwardTo elsewhere (a trailing slash it adds, as Django\'s APPEND_SLASH does');
      expect(lead).not.toContain('raw body');

      const failing = await startHarness({ receiver: false, forwardTo: `${django.url}/stripe/webhook/` });
      const other = await failing.client.inject(stripeEvent('customer.subscription.deleted', 'subscription').raw, { deliver: false });
      await failing.client.replay(other.id);
      const lines = formatTimeline([await failing.client.getEvent(other.id)]);
      expect(lines).toContain('-> 500');
      expect(lines).toContain(': "DoesNotExist at /stripe/webhook/ (an HTML page)"');
      expect(lines).not.toContain('<style>');
    } finally {
      await django.close();
    }
  });
});
