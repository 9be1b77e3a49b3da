import { formatTimeline } from '../helpers/timeline.js';
import { test, expect } from './support/replay-fixtures.js';
import { stripeEvent } from './support/replay-events.js';

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
});
