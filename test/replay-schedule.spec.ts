import { writeFile } from 'node:fs/promises';
import { ReplayServerError, SCHEDULE_FILE_FORMAT, SCHEDULE_FILE_VERSION, formatScheduleFile, type ScheduleFile } from '../replay-server/index.js';
import { fuzzWebhooks, type FuzzEvent, type FuzzSetupContext } from '../helpers/index.js';
import { test, expect } from './support/replay-fixtures.js';
import { runVibes } from './support/cli.js';
import { checkoutCompleted, stripeEvent, uniqueId } from './support/replay-events.js';

const json = (value: unknown) => JSON.stringify(value);

test.describe('replay server: delivery schedules @db', () => {
  test('runs groups in order, starts a group\'s steps together, and answers with every delivery', async ({ startHarness }) => {
    const { client, receiver } = await startHarness();
    const paid = await client.inject(checkoutCompleted(`${uniqueId('buyer')}@example.com`).raw, { deliver: false });
    const other = await client.inject(stripeEvent('customer.subscription.updated', 'subscription').raw, { deliver: false });
    // Each request of the first group is held until both are in flight: they must overlap.
    receiver.hold(2, 5_000);

    const result = await client.runSchedule({
      groups: [
        [{ event: paid.id }, { event: paid.id, signature: 'stale' }],
        [{ event: other.id, signature: 'fresh', cutOff: false }, { event: other.id, signature: 'missing' }],
      ],
    });

    expect(result.batch).toMatch(/^sch_/);
    expect(result.deliveries.map((d) => [d.group, d.step, d.event_id, d.signature, d.status, d.cut_off])).toEqual([
      [0, 0, paid.id, 'fresh', 200, false],
      [0, 1, paid.id, 'stale', 400, false],
      [1, 0, other.id, 'fresh', 200, false],
      [1, 1, other.id, 'missing', 400, false],
    ]);
    // The second group started only once the first had been answered.
    expect(receiver.received.map((r) => [JSON.parse(r.body.toString()).id, r.inFlightOnArrival])).toEqual([
      [paid.id, expect.any(Number)],
      [paid.id, 2],
      [other.id, 1],
      [other.id, 2],
    ]);

    const stored = await client.getEvent(paid.id);
    expect(stored.deliveries).toEqual([
      expect.objectContaining({ kind: 'replay', batch: result.batch, signature: 'fresh', status: 200 }),
      expect.objectContaining({ kind: 'replay', batch: result.batch, signature: 'stale', status: 400 }),
    ]);
    expect(result.deliveries.map((d) => d.id)).toEqual(expect.arrayContaining(stored.deliveries.map((d) => d.id)));
  });

  test('a cut-off step hands the app the whole body and goes on without its answer', async ({ startHarness }) => {
    // The app never answers; without the cut-off the schedule would wait a minute for it.
    const { client, receiver, secret } = await startHarness({ receiver: { hang: true }, forwardTimeoutMs: 60_000 });
    const event = checkoutCompleted(`${uniqueId('buyer')}@example.com`);
    await client.inject(event.raw, { deliver: false });

    const result = await client.runSchedule({ groups: [[{ event: event.id, cutOff: true }, { event: event.id, cutOff: true }], [{ event: event.id, cutOff: true }]] });

    expect(result.deliveries.map((d) => [d.group, d.cut_off, d.status, d.error, d.latency_ms])).toEqual([
      [0, true, null, 'cut off', null],
      [0, true, null, 'cut off', null],
      [1, true, null, 'cut off', null],
    ]);
    await expect.poll(() => receiver.received.length).toBe(3);
    for (const copy of receiver.received) {
      expect(copy.body.toString()).toBe(event.raw);
      expect(copy.refusal, `signed with ${secret.slice(0, 6)}…`).toBeNull();
    }
    expect((await client.getEvent(event.id)).deliveries.map((d) => d.error)).toEqual(['cut off', 'cut off', 'cut off']);
  });

  test('a bad schedule is refused with a clear error before anything is sent', async ({ startHarness }) => {
    const { url, client, receiver, counts } = await startHarness();
    const stored = await client.inject(stripeEvent('invoice.paid', 'invoice').raw, { deliver: false });
    const ok = { event: stored.id };
    const missing = uniqueId('evt');
    const cases: Array<{ name: string; body: string; status: number; code: string; message: RegExp }> = [
      { name: 'not JSON', body: '{"groups": [', status: 400, code: 'invalid_json', message: /not valid JSON/ },
      { name: 'an array', body: json([[ok]]), status: 400, code: 'invalid_schedule', message: /JSON object such as/ },
      { name: 'no groups', body: json({}), status: 400, code: 'invalid_schedule', message: /"groups" must be a non-empty array/ },
      { name: 'unknown field', body: json({ groups: [[ok]], times: 2 }), status: 400, code: 'invalid_schedule', message: /unknown field "times" in the schedule/ },
      { name: 'empty group', body: json({ groups: [[ok], []] }), status: 400, code: 'invalid_schedule', message: /groups\[1\] must be a non-empty array/ },
      { name: 'step not an object', body: json({ groups: [[stored.id]] }), status: 400, code: 'invalid_schedule', message: /groups\[0\]\[0\] must be an object/ },
      { name: 'step without event', body: json({ groups: [[{ signature: 'fresh' }]] }), status: 400, code: 'invalid_schedule', message: /groups\[0\]\[0\]\.event must be the id/ },
      { name: 'unknown signature', body: json({ groups: [[ok, { ...ok, signature: 'forged' }]] }), status: 400, code: 'invalid_schedule', message: /groups\[0\]\[1\]\.signature must be one of fresh, original, stale/ },
      { name: 'cutOff not boolean', body: json({ groups: [[{ ...ok, cutOff: 'yes' }]] }), status: 400, code: 'invalid_schedule', message: /cutOff must be true or false/ },
      { name: 'unknown step field', body: json({ groups: [[{ ...ok, delay: 5 }]] }), status: 400, code: 'invalid_schedule', message: /unknown field "delay" in groups\[0\]\[0\]/ },
      { name: 'group too large', body: json({ groups: [Array.from({ length: 101 }, () => ok)] }), status: 400, code: 'invalid_schedule', message: /at most 100 together/ },
      { name: 'too many steps', body: json({ groups: Array.from({ length: 1001 }, () => [ok]) }), status: 400, code: 'invalid_schedule', message: /over 1000 steps/ },
      { name: 'bad target', body: json({ groups: [[ok]], target: 'ftp://x' }), status: 400, code: 'invalid_target', message: /http\(s\) URL/ },
      { name: 'unknown event, after a known one', body: json({ groups: [[ok], [{ event: missing }]] }), status: 404, code: 'event_not_found', message: new RegExp(`no event ${missing} is stored.*Nothing was sent`) },
    ];
    const before = await counts();
    for (const bad of cases) {
      const res = await fetch(`${url}/api/schedules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bad.body });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([bad.name, res.status, body.error.code], body.error.message).toEqual([bad.name, bad.status, bad.code]);
      expect(body.error.message, bad.name).toMatch(bad.message);
    }
    expect(await counts()).toEqual(before);
    expect(receiver.received).toHaveLength(0);
    // Still serving.
    expect((await client.runSchedule({ groups: [[ok]] })).deliveries[0]!.status).toBe(200);
  });

  test('without a target or a secret the schedule is refused, naming the missing flag', async ({ startHarness }) => {
    const storeOnly = await startHarness({ receiver: false });
    const a = await storeOnly.client.inject(stripeEvent('invoice.paid', 'invoice').raw, { deliver: false });
    await expect(storeOnly.client.runSchedule({ groups: [[{ event: a.id }]] })).rejects.toMatchObject({ status: 400, code: 'no_target', message: /--forward-to/ });

    const unsigned = await startHarness({ secret: '' });
    const b = await unsigned.client.inject(stripeEvent('invoice.paid', 'invoice').raw, { deliver: false });
    const refusal = unsigned.client.runSchedule({ groups: [[{ event: b.id, signature: 'missing' }], [{ event: b.id, signature: 'stale' }]] });
    await expect(refusal).rejects.toBeInstanceOf(ReplayServerError);
    await expect(refusal).rejects.toMatchObject({ status: 400, code: 'no_secret', message: /--secret whsec_/ });
    expect(unsigned.receiver.received).toHaveLength(0);
    // Modes that need no secret run.
    const { deliveries } = await unsigned.client.runSchedule({ groups: [[{ event: b.id, signature: 'missing' }]] });
    expect(deliveries.map((d) => d.status)).toEqual([400]);
  });

  test('vibes replay-server replay-schedule asks the server first: a schedule it would refuse stores none of the file\'s events', async ({ startHarness }, testInfo) => {
    const storeOnly = await startHarness({ receiver: false });
    const unsigned = await startHarness({ secret: '' });
    const event = stripeEvent('invoice.paid', 'invoice');
    const file = testInfo.outputPath('schedule.ndjson');
    await writeFile(file, formatScheduleFile({
      header: { kind: 'header', format: SCHEDULE_FILE_FORMAT, version: SCHEDULE_FILE_VERSION },
      events: [{ kind: 'event', index: 0, id: event.id, raw: event.raw }],
      steps: [{ kind: 'step', group: 0, event: 0, signature: 'fresh', cutOff: false }],
    }));
    const cases = [
      { harness: storeOnly, says: 'forwards nowhere (no --forward-to): pass --target <url>' },
      { harness: unsigned, says: 'cannot run this schedule: signature "fresh" needs the webhook signing secret: start the replay server with --secret whsec_' },
    ];
    for (const { harness, says } of cases) {
      for (const extra of [[], ['--fresh-ids']]) {
        const result = await runVibes(['replay-server', 'replay-schedule', file, '--url', harness.url, ...extra]);
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(says);
        expect((await harness.client.listEvents()).data, 'nothing stored').toEqual([]);
      }
    }
    expect(unsigned.receiver.received).toHaveLength(0);
  });

  test('the schedule route needs the token when the server has one', async ({ startHarness }) => {
    const { url, client } = await startHarness({ token: 'tok_schedules' });
    const stored = await client.inject(stripeEvent('invoice.paid', 'invoice').raw, { deliver: false });
    const res = await fetch(`${url}/api/schedules`, { method: 'POST', body: json({ groups: [[{ event: stored.id }]] }) });
    expect(res.status).toBe(401);
    expect((await client.runSchedule({ groups: [[{ event: stored.id }]] })).deliveries).toHaveLength(1);
  });
});

test.describe('fuzz: a schedule file rebuilds the same-second ties @db', () => {
  test('replaySchedule gives the fresh subject\'s events the ties the file recorded, in build order', async ({ startHarness }, testInfo) => {
    const { client } = await startHarness();
    const created: number[][] = [];
    const property = {
      name: 'ties',
      env: {},
      settleMs: 0,
      setup({ stripeEvents }: FuzzSetupContext) {
        const events = [stripeEvents.subscriptionCreated('active'), stripeEvents.subscriptionUpdated('past_due'), stripeEvents.subscriptionDeleted()];
        return { subject: null, events };
      },
      invariant({ events }: { events: readonly FuzzEvent[] }) {
        created.push(events.map((e) => e.created));
      },
    };
    const file = testInfo.outputPath('ties.ndjson');
    const schedule = (header: Partial<ScheduleFile['header']>) =>
      formatScheduleFile({
        header: { kind: 'header', format: SCHEDULE_FILE_FORMAT, version: SCHEDULE_FILE_VERSION, ...header },
        events: [0, 1, 2].map((index) => ({ kind: 'event', index, id: `evt_${index}` })),
        steps: [{ kind: 'step', group: 0, event: 2, signature: 'fresh', cutOff: false }],
      });

    await writeFile(file, schedule({ sameSecond: [false, true] }));
    expect((await fuzzWebhooks({ ...property, replaySchedule: file }, { client, name: 'ties' })).passed).toBe(true);
    const [tied] = created;
    expect([tied![1]! - tied![0]!, tied![2]! - tied![1]!]).toEqual([1, 0]);

    await writeFile(file, schedule({ sameSecond: 'yes' as unknown as boolean[] }));
    await expect(fuzzWebhooks({ ...property, replaySchedule: file }, { client, name: 'ties' })).rejects.toThrow(/sameSecond must be an array of true and false/);
  });
});
