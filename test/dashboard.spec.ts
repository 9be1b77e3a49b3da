import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { devices, type Page } from '@playwright/test';
import { test as replayTest, expect } from './support/replay-fixtures.js';
import { checkoutCompleted, postWebhook, randomSecret, stripeEvent, uniqueId } from './support/replay-events.js';
import { chromiumLaunchOptions } from '../helpers/index.js';
import { startVibes } from './support/cli.js';

const test = replayTest.extend<{ pageErrors: void }>({
  // No test passes with a script error or a blocked resource (a CSP violation is a console error).
  // Failed loads are left out: the API's 401s and 404s are part of what is tested.
  pageErrors: [async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
    });
    await use();
    expect(errors).toEqual([]);
  }, { auto: true }],
});

// The framework project has no browser: this file brings Chromium, as a user's would.
test.use({ ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() });

/** A customer's event the way Stripe sends it, for `email` unless told otherwise. */
function customerEvent(type: string, email: string, customer = uniqueId('cus')) {
  return { customer, ...stripeEvent(type, 'customer', { id: customer, email }) };
}

const capture = (url: string, raw: string, secret: string) => postWebhook(`${url}/webhooks/stripe`, raw, { secret });

/** The rows of the events table as a user reads them: type cell, who, deliveries, last status. */
async function eventRows(page: Page): Promise<string[][]> {
  return page.locator('#events tr[data-id]').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = Array.from((row as HTMLTableRowElement).cells);
      const type = cells[0]!.querySelector('a')!.textContent!;
      return [type, cells[1]!.firstChild?.textContent ?? '', cells[3]!.textContent!, cells[4]!.textContent!];
    }),
  );
}

test.describe('replay server dashboard @db @stack', () => {
  test('lists events newest first and shows new ones live, without a reload', async ({ page, startHarness }) => {
    const { url, secret } = await startHarness();
    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Webhook events' })).toBeVisible();
    await expect(page.getByText('No events yet.')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    const paid = checkoutCompleted('vibes+live@example.com');
    expect((await capture(url, paid.raw, secret)).status).toBe(200);
    await expect(page.locator('#events tr[data-id]')).toHaveCount(1);
    const created = customerEvent('customer.created', 'vibes+second@example.com');
    await capture(url, created.raw, secret);

    await expect.poll(() => eventRows(page)).toEqual([
      ['customer.created', 'vibes+second@example.com', '1', '200'],
      ['checkout.session.completed', 'vibes+live@example.com', '1', '200'],
    ]);
    const newest = page.locator(`#events tr[data-id="${created.id}"]`);
    await expect(newest.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
    await expect(newest.getByText(created.customer)).toBeVisible();
    await expect(page.getByText('1 new. 2 events.')).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  });

  test('filters narrow the list by type, e-mail, customer, run and delivery status; the address bar keeps them', async ({ page, startHarness }) => {
    const { url, secret, client } = await startHarness();
    const paid = checkoutCompleted('vibes+paid@example.com');
    const other = customerEvent('customer.created', 'vibes+other@example.com');
    const forged = customerEvent('customer.updated', 'vibes+forged@example.com');
    await capture(url, paid.raw, secret);
    await capture(url, other.raw, secret);
    // Signed with a secret the app does not know: the app refuses it (400).
    expect((await capture(url, forged.raw, randomSecret())).status).toBe(400);
    const stored = stripeEvent('invoice.paid', 'invoice', { customer_email: 'vibes+stored@example.com' });
    await client.inject(stored.raw, { deliver: false });
    const run = JSON.parse(paid.raw).data.object.metadata.vibes_run as string;

    await page.goto(url);
    await expect(page.locator('#events tr[data-id]')).toHaveCount(4);
    const types = async () => (await eventRows(page)).map((row) => row[0]);
    const apply = async (label: string, value: string) => {
      await page.getByRole('button', { name: 'Clear' }).click();
      await expect(page.locator('#events tr[data-id]')).toHaveCount(4);
      const control = page.getByLabel(label, { exact: true });
      if (label === 'Delivery status') await control.selectOption(value);
      else {
        await control.fill(value);
        await page.getByRole('button', { name: 'Apply filters' }).click();
      }
    };

    await apply('Type', 'customer.created');
    await expect.poll(types).toEqual(['customer.created']);
    await apply('E-mail', 'VIBES+PAID@example.com');
    await expect.poll(types).toEqual(['checkout.session.completed']);
    await apply('Customer', forged.customer);
    await expect.poll(types).toEqual(['customer.updated']);
    await apply('Run', run);
    await expect.poll(types).toEqual(['checkout.session.completed']);
    await apply('Delivery status', 'ok');
    await expect.poll(types).toEqual(['customer.created', 'checkout.session.completed']);
    await apply('Delivery status', 'failed');
    await expect.poll(types).toEqual(['customer.updated']);
    await expect(page.locator(`#events tr[data-id="${forged.id}"]`).getByText('400')).toBeVisible();
    await expect(page.locator(`#events tr[data-id="${forged.id}"]`).getByText('signature invalid')).toBeVisible();
    await apply('Delivery status', 'none');
    await expect.poll(types).toEqual(['invoice.paid']);
    await expect(page.locator(`#events tr[data-id="${stored.id}"]`).getByText('not delivered')).toBeVisible();
    expect(new URL(page.url()).search).toBe('?delivery=none');

    await page.getByLabel('Type', { exact: true }).fill('no.such.type');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.getByText('No events match these filters.')).toBeVisible();
    expect(new URL(page.url()).searchParams.get('type')).toBe('no.such.type');

    // Back restores the previous filter, in the form and in the list.
    await page.goBack();
    await expect.poll(types).toEqual(['invoice.paid']);
    await expect(page.getByLabel('Delivery status')).toHaveValue('none');
    await expect(page.getByLabel('Type', { exact: true })).toHaveValue('');
    // And a filtered address opens filtered.
    await page.goto(`${url}/?email=${encodeURIComponent('vibes+other@example.com')}`);
    await expect.poll(types).toEqual(['customer.created']);
    await expect(page.getByLabel('E-mail')).toHaveValue('vibes+other@example.com');

    // The same filter over the API, and a bad value refused with what is accepted.
    expect((await client.listEvents({ delivery: 'failed' })).data.map((e) => e.id)).toEqual([forged.id]);
    expect((await client.listEvents({ delivery: 'none' })).data.map((e) => e.id)).toEqual([stored.id]);
    const bad = await fetch(`${url}/api/events?delivery=maybe`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^delivery must be one of ok, failed, none/);
  });

  test('a live event arriving while filtered shows only if it matches', async ({ page, startHarness }) => {
    const { url, secret } = await startHarness();
    await page.goto(`${url}/?type=customer.deleted`);
    await expect(page.getByText('No events match these filters.')).toBeVisible();
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    await capture(url, customerEvent('customer.created', 'vibes+a@example.com').raw, secret);
    const deleted = customerEvent('customer.deleted', 'vibes+a@example.com');
    await capture(url, deleted.raw, secret);
    await expect.poll(() => eventRows(page)).toEqual([['customer.deleted', 'vibes+a@example.com', '1', '200']]);
  });

  test('an event page shows the payload, the headers and the delivery timeline; replays add to it', async ({ page, startHarness }) => {
    const { url, secret, client, receiver } = await startHarness();
    const paid = checkoutCompleted('vibes+page@example.com');
    await capture(url, paid.raw, secret);
    await page.goto(url);
    await page.locator(`#events tr[data-id="${paid.id}"] td`).nth(2).click();
    await expect(page).toHaveURL(`${url}/events/${paid.id}`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('checkout.session.completed');
    await expect(page).toHaveTitle(`checkout.session.completed ${paid.id} · vibes replay server`);
    await expect(page.locator('#payload')).toHaveText(JSON.stringify(JSON.parse(paid.raw), null, 2));
    const stored = await client.getEvent(paid.id);
    const headerRows = page.locator('#headers tr');
    await expect(headerRows).toHaveCount(Object.keys(stored.headers).length);
    await expect(headerRows.filter({ hasText: 'stripe-signature' }).locator('td').nth(1)).toHaveText(stored.headers['stripe-signature']!);

    const timeline = page.locator('#timeline tr');
    const timelineText = () => timeline.evaluateAll((rows) => rows.map((r) => Array.from((r as HTMLTableRowElement).cells).slice(1, 4).map((c) => c.firstChild?.textContent ?? '').join(' ')));
    await expect.poll(timelineText).toEqual(['received (captured) valid —', 'forward fresh 200']);
    await expect(timeline.nth(1).locator('td').nth(4)).toHaveText(/^\d+\.\d ms$/);

    // A concurrent burst: the receiver holds each copy until all five are in, so they overlap.
    receiver.hold(5);
    await page.getByLabel('Times').fill('5');
    await page.getByLabel('Concurrency').fill('5');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Replayed' })).toHaveText(/^Replayed 5 copies \(5 at once, signature fresh\): 200 × 5\. Start spread [\d.]+ ms\.$/);
    expect(receiver.maxInFlight()).toBe(5);
    await expect(timeline).toHaveCount(7);
    await expect(page.locator('#timeline tr.arrived')).toHaveCount(5);
    receiver.hold(1);

    await page.getByLabel('Times').fill('1');
    await page.getByLabel('Concurrency').fill('1');
    await page.getByLabel('Signature').selectOption('wrong-secret');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Replayed' })).toHaveText('Replayed 1 copy (1 at once, signature wrong-secret): 400 × 1.');
    await expect(timeline).toHaveCount(8);
    const last = timeline.last();
    await expect(last.locator('td').nth(2)).toHaveText('wrong-secret');
    await expect(last.locator('td').nth(3)).toHaveText('400');
    await expect(last.locator('td').nth(5)).toContainText('Webhook Error: No signatures found matching the expected signature');

    // The page shows exactly what the API stored, in the same order.
    const { deliveries } = await client.getEvent(paid.id);
    expect(deliveries.map((d) => `${d.kind} ${d.signature} ${d.status}`)).toEqual([
      'forward fresh 200', ...Array(5).fill('replay fresh 200'), 'replay wrong-secret 400',
    ]);
    await expect.poll(async () => (await timelineText()).slice(1)).toEqual(deliveries.map((d) => `${d.kind} ${d.signature} ${d.status}`));
    expect(receiver.accepted()).toHaveLength(6);
    expect(receiver.refused()).toHaveLength(1);
  });

  test('replay controls refuse bad input with a message and send nothing', async ({ page, startHarness }) => {
    const { url, secret, receiver } = await startHarness();
    const paid = checkoutCompleted('vibes+bad@example.com');
    await capture(url, paid.raw, secret);
    await page.goto(`${url}/events/${paid.id}`);
    await expect(page.locator('#timeline tr')).toHaveCount(2);
    await page.getByLabel('Times').fill('0');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Times' })).toHaveText('Times must be a whole number from 1 to 1000.');
    await expect(page.getByLabel('Times')).toBeFocused();
    await expect(page.getByLabel('Times')).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('Times').fill('2');
    await page.getByLabel('Concurrency').fill('3');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'Concurrency' })).toHaveText('Concurrency must be a whole number from 1 to 2.');
    expect(receiver.received).toHaveLength(1);
    await expect(page.locator('#timeline tr')).toHaveCount(2);
  });

  test('an unknown event id says so', async ({ page, startHarness }) => {
    const { url } = await startHarness();
    await page.goto(`${url}/events/evt_missing`);
    await expect(page.getByRole('alert')).toHaveText('No event evt_missing is stored on this server.');
    await expect(page.getByRole('article')).toBeHidden();
  });

  test('teardown marks show in the list and on the event page', async ({ page, startHarness }) => {
    const { url, secret, client } = await startHarness();
    const created = customerEvent('customer.created', 'vibes+gone@example.com');
    await capture(url, created.raw, secret);
    await client.markTeardown([created.customer]);
    const deleted = { ...stripeEvent('customer.deleted', 'customer', { id: created.customer, email: 'vibes+gone@example.com' }) };
    await capture(url, deleted.raw, secret);

    await page.goto(url);
    await expect(page.locator(`#events tr[data-id="${deleted.id}"] .tag.teardown`)).toHaveText('teardown');
    await expect(page.locator(`#events tr[data-id="${created.id}"] .tag.teardown`)).toHaveCount(0);
    await page.getByRole('link', { name: 'customer.deleted' }).click();
    await expect(page.getByText('Caused by test cleanup (teardown)')).toBeVisible();
    await expect(page.locator('#event-tags .tag.teardown')).toHaveText('teardown');
    await expect(page.locator('#timeline tr .tag.teardown')).toHaveCount(2);

    await page.getByRole('link', { name: '← All events' }).click();
    await page.getByRole('link', { name: 'customer.created' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('customer.created');
    await expect(page.getByText('Caused by test cleanup (teardown)')).toBeHidden();
    await expect(page.locator('#timeline .tag.teardown')).toHaveCount(0);
  });

  test('export downloads the current filter as NDJSON, exactly as the API exports it', async ({ page, startHarness }) => {
    const { url, secret, client } = await startHarness();
    const email = 'vibes+export@example.com';
    const mine = [checkoutCompleted(email), customerEvent('customer.created', email)];
    for (const event of [...mine, customerEvent('customer.created', 'vibes+someone-else@example.com')]) await capture(url, event.raw, secret);

    await page.goto(`${url}/?email=${encodeURIComponent(email)}`);
    await expect(page.locator('#events tr[data-id]')).toHaveCount(2);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export NDJSON' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^vibes-events-.*\.ndjson$/);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toBe(await client.exportEvents({ email }));
    expect(text.trim().split('\n').map((line) => JSON.parse(line).id).sort()).toEqual(mine.map((e) => e.id).sort());
    await expect(page.getByText('Exported 2 events as NDJSON.')).toBeVisible();
  });

  test('works from the keyboard alone: skip link, filters, rows and replay controls, with a visible focus', async ({ page, startHarness }) => {
    const { url, secret } = await startHarness();
    const created = customerEvent('customer.created', 'vibes+keys@example.com');
    await capture(url, created.raw, secret);
    await capture(url, checkoutCompleted('vibes+keys@example.com').raw, secret);
    await page.goto(url);
    await expect(page.locator('#events tr[data-id]')).toHaveCount(2);

    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    const type = page.getByLabel('Type', { exact: true });
    await expect(type).toBeFocused();
    expect(await focusOutline(page)).toBe('solid 3px');
    await page.keyboard.type('customer.created');
    await page.keyboard.press('Enter');
    await expect.poll(() => eventRows(page)).toEqual([['customer.created', 'vibes+keys@example.com', '1', '200']]);

    const order = [page.getByLabel('E-mail'), page.getByLabel('Customer'), page.getByLabel('Run'), page.getByLabel('Delivery status'),
      page.getByRole('button', { name: 'Apply filters' }), page.getByRole('button', { name: 'Clear' }),
      page.getByRole('button', { name: 'Export NDJSON' }), page.getByRole('link', { name: 'customer.created' })];
    for (const next of order) {
      await page.keyboard.press('Tab');
      await expect(next).toBeFocused();
      expect(await focusOutline(page)).toBe('solid 3px');
    }
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(`${url}/events/${created.id}`);
    await expect(page.locator('#timeline tr')).toHaveCount(2);

    for (const next of [skip, page.getByRole('link', { name: 'vibes replay server' }), page.getByRole('link', { name: '← All events' }), page.getByLabel('Times')]) {
      await page.keyboard.press('Tab');
      await expect(next).toBeFocused();
    }
    await page.keyboard.press('Backspace');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Concurrency')).toBeFocused();
    await page.keyboard.press('Backspace');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Signature')).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Replay' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('status').filter({ hasText: 'Replayed' })).toHaveText(/^Replayed 2 copies \(2 at once, signature fresh\): 200 × 2\./);
    await expect(page.locator('#timeline tr')).toHaveCount(4);
    await expect(page.getByRole('button', { name: 'Replay' })).toBeFocused();
  });

  test('with a token, nothing is shown or streamed without it; with it the dashboard works, live', async ({ page, startHarness }) => {
    const token = randomBytes(18).toString('base64url');
    const { url, secret } = await startHarness({ token });
    const email = 'vibes+private@example.com';
    const paid = checkoutCompleted(email);
    await capture(url, paid.raw, secret);
    for (const route of ['/api/events', '/api/stream', `/api/events/${paid.id}`, '/api/export']) {
      expect((await fetch(`${url}${route}`)).status, route).toBe(401);
    }

    await page.goto(url);
    await expect(page.getByRole('heading', { name: 'Token required' })).toBeVisible();
    await expect(page.getByLabel('Access token')).toBeFocused();
    await expect(page.getByRole('table')).toBeHidden();
    await expect(page.getByRole('status').filter({ hasText: 'Token required' })).toBeVisible();
    await page.goto(`${url}/events/${paid.id}`);
    await expect(page.getByRole('heading', { name: 'Token required' })).toBeVisible();
    for (const text of [paid.id.slice(4), email, 'checkout.session.completed']) expect(await page.content()).not.toContain(text);

    await page.getByLabel('Access token').fill(`${token}x`);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'refused' })).toHaveText('That token was refused. Check it and try again.');
    expect(await page.content()).not.toContain(email);

    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Open dashboard' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('checkout.session.completed');
    await page.getByRole('link', { name: '← All events' }).click();
    await expect(page.locator('#events tr[data-id]')).toHaveCount(1);
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    const later = customerEvent('customer.created', 'vibes+later@example.com');
    await capture(url, later.raw, secret);
    await expect(page.locator(`#events tr[data-id="${later.id}"]`)).toBeVisible();
    expect(page.url()).not.toContain(token);

    // Kept for the tab, gone on request.
    await page.reload();
    await expect(page.locator('#events tr[data-id]')).toHaveCount(2);
    await page.getByRole('button', { name: 'Forget token' }).click();
    await expect(page.getByRole('heading', { name: 'Token required' })).toBeVisible();
    await expect(page.getByRole('alert').filter({ hasText: 'refused' })).toHaveCount(0);
  });

  test('accessible: labelled controls, real tables, words beside colours, text contrast at least 4.5:1', async ({ page, startHarness }, testInfo) => {
    const { url, secret, client } = await startHarness();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    // Every kind of row the list can show: delivered, refused, never delivered, teardown, injected.
    const paid = checkoutCompleted('vibes+ada@example.com');
    await capture(url, customerEvent('customer.created', 'vibes+ada@example.com').raw, secret);
    await capture(url, paid.raw, secret);
    await capture(url, customerEvent('customer.subscription.created', 'vibes+grace@example.com').raw, secret);
    await capture(url, customerEvent('invoice.payment_failed', 'vibes+linus@example.com').raw, randomSecret());
    await client.inject(stripeEvent('invoice.paid', 'invoice', { customer_email: 'vibes+margaret@example.com' }).raw, { deliver: false });
    const gone = customerEvent('customer.created', 'vibes+gone@example.com');
    await capture(url, gone.raw, secret);
    await client.markTeardown([gone.customer]);
    await capture(url, stripeEvent('customer.deleted', 'customer', { id: gone.customer, email: 'vibes+gone@example.com' }).raw, secret);
    await client.replay(paid.id, { times: 3, concurrency: 3 });

    await page.setViewportSize({ width: 1280, height: 760 });
    await page.goto(url);
    await expect(page.locator('#events tr[data-id]')).toHaveCount(7);
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    await expectAccessible(page);
    await expect(page.getByRole('columnheader')).toHaveText(['Type', 'Customer or e-mail', 'Received', 'Deliveries', 'Last status']);
    for (const words of ['200', '400', 'not delivered', 'teardown', 'injected', 'signature invalid']) {
      await expect(page.locator('#events').getByText(words, { exact: true }).first()).toBeVisible();
    }
    await saveScreenshot(page, testInfo, 'dashboard-events.png');

    await page.getByRole('link', { name: 'checkout.session.completed' }).click();
    await expect(page.locator('#timeline tr')).toHaveCount(5);
    await page.getByLabel('Signature').selectOption('wrong-secret');
    await page.getByRole('button', { name: 'Replay' }).click();
    await expect(page.locator('#timeline tr')).toHaveCount(6);
    await expect(page.getByRole('status').filter({ hasText: 'Replayed' })).toBeVisible();
    await expectAccessible(page);
    await expect(page.locator('.timeline').getByRole('columnheader')).toHaveText(['Time', 'What', 'Signature', 'Status', 'Latency', 'Answer or error']);
    await expect(page.locator('.headers').getByRole('columnheader')).toHaveText(['Name', 'Value']);
    await saveScreenshot(page, testInfo, 'dashboard-event.png');
  });

  test('an import shows up live; the newest 100 first, more on request', async ({ page, startHarness }) => {
    const { url, client } = await startHarness();
    await page.goto(url);
    await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
    const start = Date.now() - 60_000;
    const lines = Array.from({ length: 105 }, (_, i) => {
      const event = customerEvent('customer.updated', `vibes+import${i}@example.com`);
      return JSON.stringify({ id: event.id, raw: event.raw, received_at: new Date(start + i * 10).toISOString(), headers: {} });
    });
    expect(await client.importEvents(lines.join('\n'))).toEqual({ imported: 105, skipped: 0 });

    await expect(page.locator('#events tr[data-id]')).toHaveCount(100);
    await expect(page.getByText('100 new. 100 events: the newest 100, more are stored.')).toBeVisible();
    expect((await eventRows(page))[0]).toEqual(['customer.updated', 'vibes+import104@example.com', '0', 'not delivered']);
    await expect(page.locator('#events tr[data-id] .tag').first()).toHaveText('imported');
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(page.locator('#events tr[data-id]')).toHaveCount(105);
    await expect(page.getByRole('button', { name: 'Show more' })).toBeHidden();
  });

  test('the built server (vibes replay-server) serves the same dashboard', async ({ page, databaseUrl }) => {
    const server = await startVibes(['replay-server', '--port', '0', '--database-url', databaseUrl]);
    try {
      await page.goto(server.url);
      await expect(page.getByRole('status').filter({ hasText: 'Live' })).toBeVisible();
      const created = customerEvent('customer.created', 'vibes+built@example.com');
      expect((await postWebhook(`${server.url}/webhooks/stripe`, created.raw)).status).toBe(200);
      await expect.poll(() => eventRows(page)).toEqual([['customer.created', 'vibes+built@example.com', '0', 'not delivered']]);
      await page.getByRole('link', { name: 'customer.created' }).click();
      await expect(page.locator('#payload')).toHaveText(JSON.stringify(JSON.parse(created.raw), null, 2));
    } finally {
      await server.stop();
    }
  });
});

/** The focused element's outline, as `style width`. */
function focusOutline(page: Page): Promise<string> {
  return page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return `${style.outlineStyle} ${style.outlineWidth}`;
  });
}

/**
 * What axe would check first, without axe: every form control has a label, every button a
 * name, every table column headers, and every piece of visible text a contrast of at least
 * 4.5:1 against the background it is drawn on.
 */
async function expectAccessible(page: Page): Promise<void> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || getComputedStyle(el).position === 'fixed';
    for (const control of Array.from(document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))) {
      if (visible(control) && !control.labels?.length) found.push(`unlabelled ${control.outerHTML}`);
    }
    for (const button of Array.from(document.querySelectorAll('button'))) {
      if (visible(button) && !button.textContent?.trim()) found.push(`unnamed ${button.outerHTML}`);
    }
    for (const table of Array.from(document.querySelectorAll('table'))) {
      if (visible(table) && table.querySelectorAll('thead th[scope="col"]').length === 0) found.push(`table without column headers: ${table.className}`);
    }
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const linear = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r!) + 0.7152 * linear(g!) + 0.0722 * linear(b!);
    };
    const background = (el: Element | null): number[] => {
      for (; el; el = el.parentElement) {
        const color = rgb(getComputedStyle(el).backgroundColor);
        if (color.length === 3 || color[3] === 1) return color.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement!;
      if (!node.textContent?.trim() || !visible(el) || el.closest('[hidden]')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.closest('.skip-link')) continue;
      const [l1, l2] = [luminance(rgb(style.color)), luminance(background(el))].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      if (ratio < 4.5) found.push(`contrast ${ratio.toFixed(2)} for "${node.textContent.trim().slice(0, 40)}" (${style.color} on ${background(el)})`);
    }
    return found;
  });
  expect(problems).toEqual([]);
}

/** Attached to the report; written to docs/screenshots too with VIBES_UPDATE_SCREENSHOTS=1 (for the README). */
async function saveScreenshot(page: Page, testInfo: { outputPath(name: string): string; attach(name: string, options: { path: string; contentType: string }): Promise<void> }, name: string) {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  if (process.env.VIBES_UPDATE_SCREENSHOTS === '1') {
    const docs = path.resolve('docs/screenshots');
    await mkdir(docs, { recursive: true });
    await page.screenshot({ path: path.join(docs, name), fullPage: true });
  }
}
