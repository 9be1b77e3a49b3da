import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { freePort } from '../core/index.js';
import { ReplayClient, startReplayServer } from '../replay-server/index.js';
import { Webhooks } from '../helpers/webhooks.js';
import { test, expect } from './support/replay-fixtures.js';
import { postWebhook, stripeEvent, uniqueId } from './support/replay-events.js';
import type { Receiver } from './support/replay-receiver.js';

interface BadRequest {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
  status: number;
  code: string;
  message: RegExp;
}

const BODY_LIMIT = 16 * 1024;
const bigEvent = () => stripeEvent('invoice.paid', 'invoice', { description: 'x'.repeat(BODY_LIMIT) }).raw;
const json = (value: unknown) => JSON.stringify(value);

test.describe('replay server: bad input @db', () => {
  test('every bad request gets a clear 4xx JSON error, changes nothing, and the server keeps serving', async ({ startHarness }) => {
    const { url, client, secret, counts, receiver } = await startHarness({ bodyLimitBytes: BODY_LIMIT });
    const stored = await client.inject({ type: 'invoice.paid', data: { object: { object: 'invoice' } } });
    const replay = `/api/events/${stored.id}/replay`;
    const cases: BadRequest[] = [
      { name: 'webhook not JSON', method: 'POST', path: '/webhooks/stripe', body: '{"id": "evt_1", ', status: 400, code: 'invalid_json', message: /not valid JSON/ },
      { name: 'webhook empty', method: 'POST', path: '/webhooks/stripe', body: '', status: 400, code: 'empty_body', message: /empty/ },
      { name: 'webhook a JSON array', method: 'POST', path: '/webhooks/stripe', body: '[]', status: 400, code: 'invalid_event', message: /JSON object/ },
      { name: 'webhook without an id', method: 'POST', path: '/webhooks/stripe', body: json({ type: 'invoice.paid' }), status: 400, code: 'invalid_event', message: /"id" like "evt_/ },
      { name: 'webhook without a type', method: 'POST', path: '/webhooks/stripe', body: json({ id: uniqueId('evt') }), status: 400, code: 'invalid_event', message: /"type"/ },
      { name: 'webhook not UTF-8', method: 'POST', path: '/webhooks/stripe', body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: 'invalid_json', message: /UTF-8/ },
      { name: 'webhook over the limit', method: 'POST', path: '/webhooks/stripe', body: bigEvent(), status: 413, code: 'body_too_large', message: /over the limit of 16384 bytes/ },
      {
        name: 'webhook compressed', method: 'POST', path: '/webhooks/stripe', body: new Uint8Array(gzipSync(stripeEvent('invoice.paid', 'invoice').raw)),
        headers: { 'content-encoding': 'gzip' }, status: 415, code: 'encoding_unsupported', message: /compressed/,
      },
      // Each of these the store would refuse (text never holds NUL, an index row has a size limit,
      // created is a bigint): they are refused before anything is forwarded.
      { name: 'webhook type with NUL', method: 'POST', path: '/webhooks/stripe', body: json({ id: uniqueId('evt'), type: 'a\u0000b' }), status: 400, code: 'invalid_event', message: /no NUL/ },
      { name: 'webhook created out of range', method: 'POST', path: '/webhooks/stripe', body: json({ id: uniqueId('evt'), type: 'invoice.paid', created: 1e20 }), status: 400, code: 'invalid_event', message: /"created" must be a Unix time/ },
      {
        name: 'webhook customer too long', method: 'POST', path: '/webhooks/stripe', body: json({ id: uniqueId('evt'), type: 'invoice.paid', data: { object: { customer: 'cus_'.padEnd(9000, 'x') } } }),
        status: 400, code: 'invalid_event', message: /customer must be at most 500 characters/,
      },
      { name: 'webhook email with NUL', method: 'POST', path: '/webhooks/stripe', body: json({ id: uniqueId('evt'), type: 'invoice.paid', data: { object: { customer_email: 'a\u0000@example.com' } } }), status: 400, code: 'invalid_event', message: /email must be/ },
      { name: 'inject run with NUL', method: 'POST', path: '/api/events', body: json({ event: { type: 'invoice.paid', data: { object: { metadata: { vibes_run: 'r\u0000' } } } } }), status: 400, code: 'invalid_event', message: /metadata.vibes_run must be/ },
      { name: 'inject a header HTTP cannot send', method: 'POST', path: '/api/events', body: json({ event: { type: 'invoice.paid' }, headers: { 'user-agent': '\u2603' } }), status: 400, code: 'invalid_injection', message: /"user-agent", which is not a valid HTTP header/ },
      { name: 'inject a header name HTTP cannot send', method: 'POST', path: '/api/events', body: json({ event: { type: 'invoice.paid' }, headers: { 'bad name': 'x' } }), status: 400, code: 'invalid_injection', message: /"bad name"/ },
      {
        name: 'import a header HTTP cannot send', method: 'POST', path: '/api/import',
        body: json({ raw: stripeEvent('invoice.paid', 'invoice').raw, received_at: new Date().toISOString(), headers: { 'user-agent': '\u2603' } }),
        status: 400, code: 'invalid_import', message: /line 1: headers has "user-agent", which is not a valid HTTP header/,
      },
      { name: 'inject not JSON', method: 'POST', path: '/api/events', body: 'type=invoice.paid', status: 400, code: 'invalid_json', message: /not valid JSON/ },
      { name: 'inject without envelope', method: 'POST', path: '/api/events', body: json({ type: 'invoice.paid' }), status: 400, code: 'invalid_injection', message: /"event"/ },
      { name: 'inject without type', method: 'POST', path: '/api/events', body: json({ event: { data: {} } }), status: 400, code: 'invalid_event', message: /"type"/ },
      { name: 'inject over the limit', method: 'POST', path: '/api/events', body: json({ event: bigEvent() }), status: 413, code: 'body_too_large', message: /limit/ },
      { name: 'inject an existing id', method: 'POST', path: '/api/events', body: json({ event: stored.raw }), status: 409, code: 'event_exists', message: /already stored/ },
      { name: 'event id with NUL', method: 'GET', path: '/api/events/evt_%00', status: 404, code: 'event_not_found', message: /no event/ },
      { name: 'replay event id with NUL', method: 'POST', path: '/api/events/%00/replay', body: '{}', status: 404, code: 'event_not_found', message: /no event/ },
      { name: 'event id not percent-decodable', method: 'GET', path: '/api/events/%E0%A4%A', status: 400, code: 'bad_request', message: /decode/ },
      { name: 'list type with NUL', method: 'GET', path: '/api/events?type=%00', status: 400, code: 'invalid_filter', message: /NUL/ },
      { name: 'unknown event', method: 'GET', path: '/api/events/evt_nope', status: 404, code: 'event_not_found', message: /no event evt_nope/ },
      { name: 'replay unknown event', method: 'POST', path: '/api/events/evt_nope/replay', body: '{}', status: 404, code: 'event_not_found', message: /no event evt_nope/ },
      { name: 'replay negative times', method: 'POST', path: replay, body: json({ times: -1 }), status: 400, code: 'invalid_replay', message: /times must be a whole number from 1 to 1000/ },
      { name: 'replay huge times', method: 'POST', path: replay, body: json({ times: 1_000_000 }), status: 400, code: 'invalid_replay', message: /times must be/ },
      { name: 'replay fractional times', method: 'POST', path: replay, body: json({ times: 1.5 }), status: 400, code: 'invalid_replay', message: /times must be/ },
      { name: 'replay times as text', method: 'POST', path: replay, body: json({ times: '2' }), status: 400, code: 'invalid_replay', message: /times must be/ },
      { name: 'replay concurrency over times', method: 'POST', path: replay, body: json({ times: 2, concurrency: 3 }), status: 400, code: 'invalid_replay', message: /concurrency must be a whole number from 1 to 2/ },
      { name: 'replay unknown signature', method: 'POST', path: replay, body: json({ signature: 'forged' }), status: 400, code: 'invalid_replay', message: /signature must be one of fresh, original, stale, future, wrong-secret, missing/ },
      { name: 'replay unknown option', method: 'POST', path: replay, body: json({ time: 2 }), status: 400, code: 'invalid_replay', message: /unknown replay option "time"/ },
      { name: 'replay bad target', method: 'POST', path: replay, body: json({ target: 'ftp://127.0.0.1/x' }), status: 400, code: 'invalid_target', message: /http\(s\) URL/ },
      { name: 'replay endless spacing', method: 'POST', path: replay, body: json({ times: 100, spacingMs: 60_000 }), status: 400, code: 'invalid_replay', message: /spacing/ },
      { name: 'replay body not JSON', method: 'POST', path: replay, body: 'times=2', status: 400, code: 'invalid_json', message: /not valid JSON/ },
      { name: 'list unknown filter', method: 'GET', path: '/api/events?emial=a@example.com', status: 400, code: 'unknown_filter', message: /unknown filter "emial"/ },
      { name: 'list bad limit', method: 'GET', path: '/api/events?limit=0', status: 400, code: 'invalid_filter', message: /limit must be/ },
      { name: 'list bad since', method: 'GET', path: '/api/events?since=yesterday', status: 400, code: 'invalid_filter', message: /since must be/ },
      // Date() reads "-1" as 2001 and Number() reads 0x10 and 1e2: neither is what was meant.
      { name: 'list since -1', method: 'GET', path: '/api/events?since=-1', status: 400, code: 'invalid_filter', message: /since must be an ISO 8601 time/ },
      { name: 'list limit in hex', method: 'GET', path: '/api/events?limit=0x10', status: 400, code: 'invalid_filter', message: /limit must be a whole number/ },
      { name: 'list limit in exponent form', method: 'GET', path: '/api/events?limit=1e2', status: 400, code: 'invalid_filter', message: /limit must be a whole number/ },
      { name: 'inject an event string that is not JSON', method: 'POST', path: '/api/events', body: json({ event: 'not json' }), status: 400, code: 'invalid_json', message: /^"event": the string is not valid JSON/ },
      { name: 'teardown with an unknown field', method: 'POST', path: '/api/teardown', body: json({ customers: ['cus_1'], customer: 'cus_2' }), status: 400, code: 'invalid_teardown', message: /unknown field "customer"/ },
      { name: 'teardown empty', method: 'POST', path: '/api/teardown', body: '', status: 400, code: 'empty_body', message: /send \{"customers": \["cus_…"\]\}/ },
      { name: 'schedule not JSON', method: 'POST', path: '/api/schedules', body: '{"groups": [', status: 400, code: 'invalid_json', message: /such as \{"groups": / },
      { name: 'import empty', method: 'POST', path: '/api/import', body: '', status: 400, code: 'empty_body', message: /NDJSON export/ },
      { name: 'unknown route', method: 'GET', path: '/api/nothing', status: 404, code: 'not_found', message: /no route GET \/api\/nothing/ },
    ];

    const before = await counts();
    const receivedBefore = receiver.received.length;
    for (const c of cases) {
      const response = await fetch(`${url}${c.path}`, {
        method: c.method,
        headers: { 'content-type': 'application/json', ...c.headers },
        body: c.body,
      });
      const body = await response.json();
      expect({ name: c.name, status: response.status, code: body.error?.code }).toEqual({ name: c.name, status: c.status, code: c.code });
      expect(body.error.message, c.name).toMatch(c.message);
      expect(await counts(), `${c.name} changed nothing`).toEqual(before);
    }
    expect(receiver.received, 'nothing refused reached the app').toHaveLength(receivedBefore);

    expect(await client.health()).toMatchObject({ ok: true });
    const event = stripeEvent('invoice.paid', 'invoice');
    expect((await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret })).status).toBe(200);
    expect(await counts()).toEqual({ events: before.events + 1, deliveries: before.deliveries + 1 });
  });

  test('the client throws the server\'s message', async ({ startHarness }) => {
    const { client } = await startHarness();
    await expect(client.getEvent('evt_missing')).rejects.toThrow('replay server: GET /api/events/evt_missing failed with 404: no event evt_missing is stored');
    await expect(client.replay('evt_missing', { times: 0 })).rejects.toMatchObject({ status: 400, code: 'invalid_replay' });
    await expect(new ReplayClient(`http://127.0.0.1:${await freePort()}`).health()).rejects.toThrow(/unreachable/);
  });

  test('modes that need the secret are refused when the server has none', async ({ startHarness }) => {
    const { client, counts } = await startHarness({ secret: '' });
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } });
    const before = await counts();
    await expect(client.replay(stored.id, { signature: 'fresh' })).rejects.toThrow(/needs the webhook signing secret/);
    expect(await counts()).toEqual(before);
    expect((await client.replay(stored.id, { signature: 'missing' })).deliveries).toHaveLength(1);
  });
});

test.describe('replay server: what only the API caller may see or do @db', () => {
  test('a web page cannot drive the API: another Origin, or a Host that is not loopback (DNS rebinding), gets 403', async ({ startHarness }) => {
    const { url, client, receiver, counts } = await startHarness();
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } });
    const before = { counts: await counts(), received: receiver.received.length };
    const { host, origin } = new URL(url);

    const fromPage = await request(url, 'POST', `/api/events/${stored.id}/replay`, { origin: 'http://evil.example', 'content-type': 'text/plain' }, '{"times": 5}');
    expect(fromPage).toMatchObject({ status: 403, body: { error: { code: 'cross_origin', message: expect.stringContaining('http://evil.example') } } });
    const sandboxed = await request(url, 'POST', '/api/events', { origin: 'null', 'content-type': 'text/plain' }, JSON.stringify({ event: { type: 'invoice.paid' } }));
    expect(sandboxed.status).toBe(403);
    const rebound = await request(url, 'GET', '/api/events', { host: host.replace(/^[^:]+/, 'rebind.evil.example') });
    expect(rebound).toMatchObject({ status: 403, body: { error: { code: 'foreign_host' } } });
    const reboundReplay = await request(url, 'POST', `/api/events/${stored.id}/replay`, { host: 'rebind.evil.example', origin: 'http://rebind.evil.example' }, '{}');
    expect(reboundReplay.status).toBe(403);
    expect({ counts: await counts(), received: receiver.received.length }).toEqual(before);

    // The dashboard's own origin, another loopback name, and programs (no Origin) are served.
    expect((await request(url, 'POST', `/api/events/${stored.id}/replay`, { origin, 'content-type': 'application/json' }, '{}')).status).toBe(200);
    expect((await request(url, 'GET', '/api/events', { host: host.replace(/^[^:]+/, 'localhost') })).status).toBe(200);
    expect((await client.listEvents()).data).toHaveLength(1);
    // Webhooks are not the API: whoever sends one, it is captured and the app judges its signature.
    const received = receiver.received.length;
    const unsigned = await request(url, 'POST', '/webhooks/stripe', { origin: 'http://evil.example' }, stripeEvent('invoice.paid', 'invoice').raw);
    expect(unsigned.status, "the app's own answer to an unsigned webhook").toBe(400);
    expect(receiver.received).toHaveLength(received + 1);
  });

  test('the health check and capture\'s answers show the forward target without credentials or query', async ({ startHarness }) => {
    const port = await freePort();
    const { url, client, secret } = await startHarness({ receiver: false, forwardTo: `http://hook:pa55word@127.0.0.1:${port}/webhook?key=s3cret` });
    expect((await client.health()).forward_to).toBe(`http://127.0.0.1:${port}/webhook?…`);
    const answer = await postWebhook(`${url}/webhooks/stripe`, stripeEvent('invoice.paid', 'invoice').raw, { secret });
    expect(answer.status).toBe(502);
    expect(answer.text).toContain(`the forward to http://127.0.0.1:${port}/webhook?… failed`);
    expect(answer.text).not.toMatch(/s3cret|pa55word/);
  });

  test('an answer with a NUL byte is still recorded as a delivery', async ({ startHarness }) => {
    const { client } = await startHarness();
    const app = http.createServer((_req, res) => res.end('ok\u0000then'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });
      const target = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhook`;
      const { deliveries } = await client.replay(stored.id, { times: 2, target });
      expect((await client.getEvent(stored.id)).deliveries).toEqual(deliveries.map((d) => expect.objectContaining({ id: d.id, status: 200, response_excerpt: 'ok\uFFFDthen' })));
    } finally {
      app.close();
    }
  });
});

/** A request with headers fetch will not let a caller set (Host), as a browser or a rebinding page sends them. */
function request(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test.describe('replay server: an app that is down or hangs @db', () => {
  test('a target that is down is a failed delivery with its error, never a crash', async ({ startHarness }) => {
    const { url, client, secret } = await startHarness({ receiver: false, forwardTo: `http://127.0.0.1:${await freePort()}/webhook` });
    const event = stripeEvent('invoice.paid', 'invoice');

    const answer = await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text).error).toMatchObject({ code: 'forward_failed', message: expect.stringMatching(/ECONNREFUSED/) });

    const { deliveries } = await client.replay(event.id, { times: 3, concurrency: 3 });
    expect(deliveries.map((d) => [d.status, d.latency_ms])).toEqual(Array(3).fill([null, null]));
    for (const d of deliveries) expect(d.error).toMatch(/ECONNREFUSED: nothing is listening/);
    expect(await client.getEvent(event.id)).toMatchObject({ delivery_count: 4, last_status: null, raw: event.raw });
  });

  test('a hanging target: capture still answers, the delivery fails with an error', async ({ startHarness }) => {
    const { url, client, secret, receiver } = await startHarness({ receiver: { hang: true }, forwardTimeoutMs: 300 });
    const event = stripeEvent('invoice.paid', 'invoice');

    const answer = await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret });

    expect(answer.status).toBe(504);
    expect(JSON.parse(answer.text).error.code).toBe('forward_timeout');
    expect(receiver.received).toHaveLength(1);
    const stored = await client.getEvent(event.id);
    expect(stored.deliveries).toEqual([expect.objectContaining({ status: null, error: `no response from ${new URL(receiver.url).origin} within 300 ms` })]);

    const { deliveries } = await client.replay(event.id, { times: 2, concurrency: 2 });
    expect(deliveries.map((d) => d.error)).toEqual(Array(2).fill(expect.stringMatching(/no response/)));
    expect(await client.health()).toMatchObject({ ok: true });
  });
});

test.describe('replay server: the run limit @db', () => {
  test('a replay against a hung app stops starting copies at the run limit; what was sent is recorded, the answer says what was not', async ({ startHarness }) => {
    const { client, receiver } = await startHarness({ receiver: { hang: true }, forwardTimeoutMs: 200, runLimitMs: 700 });
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });

    const result = await client.replay(stored.id, { times: 1000 });

    // Each copy waits 200 ms for the hung app: a few copies fit in 700 ms, not 1,000.
    const sent = result.deliveries.length;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(100);
    expect(result.stopped).toEqual({ cause: 'run_limit', reason: "it reached the replay server's run limit of 0.7 s (--run-limit)", not_sent: 1000 - sent });
    expect(receiver.received).toHaveLength(sent);
    expect((await client.getEvent(stored.id)).deliveries).toHaveLength(sent);
    // A schedule stops between groups the same way.
    const schedule = await client.runSchedule({ groups: Array.from({ length: 50 }, () => [{ event: stored.id }]) });
    expect(schedule.stopped).toEqual({ cause: 'run_limit', reason: expect.stringMatching(/run limit of 0\.7 s/), not_sent: 50 - schedule.deliveries.length });
    expect(schedule.deliveries.length).toBeLessThan(50);
    // The `webhooks` fixture makes it the test's failure, with what the copies got.
    await expect(new Webhooks(client, 1_000, { run: 'run-limit' }).replay(stored.id, { times: 1000 })).rejects.toThrow(
      new RegExp(`^The replay of ${stored.id} stopped after \\d+ of 1000 copies: it reached the replay server's run limit of 0\\.7 s \\(--run-limit\\)\\. What the copies sent got: no response from http://127\\.0\\.0\\.1:\\d+ within 200 ms\\. Is the app answering`),
    );
    expect(await client.health()).toMatchObject({ ok: true });
  });

  test('many spaced replays at once are normal: no listener-leak warning', async ({ startHarness }) => {
    const { client } = await startHarness();
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    try {
      const results = await Promise.all(Array.from({ length: 12 }, () => client.replay(stored.id, { times: 2, spacingMs: 100 })));
      expect(results.map((r) => r.deliveries.length)).toEqual(Array(12).fill(2));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });

  test('a replay whose caller hangs up sends no further copies', async ({ startHarness }) => {
    const { url, client, receiver } = await startHarness();
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });
    await hangUpAfterTwoDeliveries(`${url}/api/events/${stored.id}/replay`, { times: 100, spacingMs: 100 }, receiver);
    await expect.poll(async () => (await client.getEvent(stored.id)).deliveries.length).toBe(receiver.received.length);
  });

  test('a schedule whose caller hangs up starts no further group; the group in flight finishes and is recorded', async ({ startHarness }) => {
    const { url, client, receiver } = await startHarness();
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });
    // A slow app: each one-delivery group is held for the second request that never comes in it,
    // and so answered after 100 ms.
    receiver.hold(2, 100);
    await hangUpAfterTwoDeliveries(`${url}/api/schedules`, { groups: Array.from({ length: 100 }, () => [{ event: stored.id }]) }, receiver);
    await expect.poll(async () => (await client.getEvent(stored.id)).deliveries.length).toBe(receiver.received.length);
  });
});

/**
 * Starts a long run of deliveries (a delivery about every 100 ms), hangs up once two have
 * arrived, and checks that at most the one in flight follows in the next ten deliveries' time.
 */
async function hangUpAfterTwoDeliveries(url: string, body: object, receiver: Receiver): Promise<void> {
  const caller = new AbortController();
  const running = fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: caller.signal })
    .catch((error: Error) => error);
  await expect.poll(() => receiver.received.length).toBeGreaterThanOrEqual(2);
  caller.abort();
  expect(await running).toMatchObject({ name: 'AbortError' });
  const atAbort = receiver.received.length;
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(receiver.received.length).toBeLessThanOrEqual(atAbort + 1);
}

test.describe('replay server: stopping @db', () => {
  test('a replay in progress when the server stops starts no further copy, answers why, and every copy sent is recorded', async ({ startHarness, databaseUrl }) => {
    const { client, secret, receiver } = await startHarness();
    const stored = await client.inject({ type: 'invoice.paid', data: { object: {} } }, { deliver: false });
    // A pool of its own, ended right after the server closes, as `vibes replay-server` does on SIGTERM.
    const pool = new pg.Pool({ connectionString: databaseUrl });
    const server = await startReplayServer({ pool, secret, forwardTo: receiver.url });
    const replaying = new ReplayClient(server.url).replay(stored.id, { times: 3, spacingMs: 800 });
    await expect.poll(() => receiver.received.length).toBe(1);

    await server.close();
    await pool.end();

    expect(await replaying).toMatchObject({ deliveries: [{ status: 200 }], stopped: { cause: 'server_stopping', reason: 'the replay server is stopping', not_sent: 2 } });
    expect(receiver.received).toHaveLength(1);
    expect((await client.getEvent(stored.id)).deliveries.map((d) => d.status)).toEqual([200]);
  });

  test('a capture whose forward is under way when the server stops finishes within the grace period, and is recorded', async ({ startHarness, databaseUrl }) => {
    const { client, secret, receiver } = await startHarness({ receiver: { hang: true } });
    const pool = new pg.Pool({ connectionString: databaseUrl });
    const server = await startReplayServer({ pool, secret, forwardTo: receiver.url, forwardTimeoutMs: 1_500 });
    const event = stripeEvent('invoice.paid', 'invoice');
    const capturing = postWebhook(`${server.url}/webhooks/stripe`, event.raw, { secret }).catch((error: Error) => error);
    await expect.poll(() => receiver.received.length).toBe(1);

    await server.close();
    await pool.end();
    await capturing;

    expect((await client.getEvent(event.id)).deliveries).toEqual([expect.objectContaining({ status: null, error: expect.stringMatching(/within 1500 ms/) })]);
  });
});

test.describe('replay server: token @db', () => {
  test('with a token configured, /api calls without it get 401; webhooks and health need none', async ({ startHarness }) => {
    const token = uniqueId('tok');
    const { url, client, secret, counts } = await startHarness({ token });
    const event = stripeEvent('invoice.paid', 'invoice');
    expect((await postWebhook(`${url}/webhooks/stripe`, event.raw, { secret })).status).toBe(200);
    const before = await counts();

    for (const authorization of [undefined, 'Bearer wrong', `Basic ${token}`, token]) {
      const response = await fetch(`${url}/api/events/${event.id}/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: '{}',
      });
      expect(response.status).toBe(401);
      expect((await response.json()).error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/Authorization: Bearer/) });
    }
    await expect(new ReplayClient(url).listEvents()).rejects.toMatchObject({ status: 401 });
    await expect(new ReplayClient(url, { token: `${token}x` }).getEvent(event.id)).rejects.toThrow(/requires a token/);
    expect(await counts()).toEqual(before);

    expect((await new ReplayClient(url).health()).ok).toBe(true);
    expect((await client.listEvents()).data.map((e) => e.id)).toEqual([event.id]);
    expect((await client.replay(event.id)).deliveries).toHaveLength(1);
  });

  test('asking for a token without giving one is refused before listening', async ({ startHarness }) => {
    const { pool } = await startHarness({ receiver: false });
    await expect(startReplayServer({ pool, requireToken: true })).rejects.toThrow(/requireToken is set but no token was given/);
  });
});
