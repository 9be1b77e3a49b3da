import { setTimeout as sleep } from 'node:timers/promises';
import type { TestInfo } from '@playwright/test';
import { ReplayClient, type EventDetail, type EventFilters, type EventSource, type EventSummary, type ReplayOptions, type ReplayResult } from '../replay-server/index.js';
import { fuzzInTest, type FuzzTestContext } from './fuzz/in-test.js';
import type { WebhookFuzzOptions } from './fuzz/run.js';
import type { FuzzResult } from './fuzz/search.js';
import { formatTimeline } from './timeline.js';

/** How a test names the events that are its own: never "the last event". */
export type EventMatch = { email: string } | { customer: string } | { run: string };

export interface WaitForOptions {
  /** Milliseconds; default 15,000 (Stripe delivers within seconds; a webhook that takes longer is itself worth a failure). */
  timeout?: number;
  /** Only events from here: `imported` finds a recording's own event, not the copies earlier tests injected of it. */
  source?: EventSource;
}

/** The `webhooks` fixture: the replay server as seen by one test. */
export class Webhooks {
  /** Every email, customer or run (with its source) this test waited on, so the timeline shows its events only. */
  private readonly seen: EventFilters[] = [];

  constructor(
    readonly client: ReplayClient,
    private readonly defaultTimeout: number,
    private readonly owner: { email?: string; run: string },
    private readonly fuzzContext?: FuzzTestContext,
  ) {}

  /** Waits until an event of `type` matching `match` has been captured, and returns it. */
  async waitFor(type: string, match: EventMatch | { email: string }, options: WaitForOptions = {}): Promise<EventDetail> {
    const filter = { ...toFilter(match), ...(options.source ? { source: options.source } : {}) };
    this.seen.push(filter);
    const timeout = options.timeout ?? this.defaultTimeout;
    const deadline = Date.now() + timeout;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      const { data } = await this.client.listEvents({ ...filter, type, teardown: false, limit: 1 });
      if (data[0]) return this.client.getEvent(data[0].id);
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
    }
    const seen = await this.client.listEvents({ ...filter, limit: 20 });
    const types = seen.data.map((e) => e.type).join(', ') || 'none';
    const of = `${describe(match)}${options.source ? ` (${options.source})` : ''}`;
    throw new Error(
      `No ${type} event for ${of} reached the replay server within ${timeout} ms.\n` +
        `Events seen for ${of}: ${types}.\n` +
        (options.source === 'imported'
          ? 'Is the recording imported into this replay server (webhooks.import, or `vibes replay-server import` for one you run), and is its run id this one?'
          : 'Is the app sending its Stripe events to the replay server (emulator webhook URL, or `stripe listen --forward-to`)?'),
    );
  }

  /**
   * Delivers a captured event again (Stripe's retries, a concurrent burst, signature variants).
   * Throws when the replay server stopped before sending every copy (its run limit passed).
   */
  async replay(event: EventSummary | string, options: ReplayOptions = {}): Promise<ReplayResult> {
    const id = typeof event === 'string' ? event : event.id;
    const result = await this.client.replay(id, options);
    if (result.stopped) {
      const errors = [...new Set(result.deliveries.map((d) => d.error ?? String(d.status)))].join('; ');
      throw new Error(
        `The replay of ${id} stopped after ${result.deliveries.length} of ${result.deliveries.length + result.stopped.not_sent} copies: ${result.stopped.reason}. ` +
          `What the copies sent got: ${errors || 'nothing'}.${result.stopped.cause === 'run_limit' ? ' Is the app answering at its webhook URL?' : ''}`,
      );
    }
    return result;
  }

  /**
   * Stores an event that did not come from Stripe, attributed to this test, and delivers it
   * like a captured one; `deliver: false` only stores it, so a later replay is its first delivery.
   */
  inject(event: object | string, options: { deliver?: boolean; headers?: Record<string, string> } = {}): Promise<EventDetail> {
    return this.client.inject(event, options);
  }

  /**
   * A property test over delivery schedules. Each run, `setup` makes a fresh subject and returns
   * its events; fast-check draws how they are delivered (duplicates, order, concurrent copies,
   * copies cut off before the app answers, forged signatures); the replay server delivers them;
   * `invariant` checks the app's state. A counterexample fails the test, shrunk, with its seed,
   * path and schedule (attached as NDJSON) and the commands that reproduce it.
   */
  fuzz<S>(options: WebhookFuzzOptions<S>): Promise<FuzzResult> {
    if (!this.fuzzContext) throw new Error('webhooks.fuzz runs inside a Playwright test: use the `webhooks` fixture of playwright-vibes.');
    return fuzzInTest(this.client, options, this.fuzzContext);
  }

  async deliveries(event: EventSummary | string) {
    return (await this.client.getEvent(typeof event === 'string' ? event : event.id)).deliveries;
  }

  /** Events matching a filter (captured, injected or imported), newest first. */
  async events(filters: EventFilters): Promise<EventSummary[]> {
    return (await this.client.listEvents(filters)).data;
  }

  /**
   * Events for the test's user and everything it waited on, with their deliveries; and those of
   * the Stripe customers they name, since most of a customer's events (the subscription's,
   * the payment intent's) carry no email.
   */
  async timeline(): Promise<EventDetail[]> {
    const filters: EventFilters[] = [...this.seen];
    if (this.owner.email) filters.push({ email: this.owner.email });
    const ids = new Set<string>();
    const customers = new Set<string>();
    const collect = async (filter: EventFilters) => {
      const { data } = await this.client.listEvents({ ...filter, limit: 100 });
      for (const e of data) {
        ids.add(e.id);
        // A recording's customers (a wait with a source) are not the test's: their other events are earlier tests' copies.
        if (e.customer && !filter.source) customers.add(e.customer);
      }
    };
    for (const filter of filters) await collect(filter);
    const named = new Set(filters.flatMap((f) => (f.customer ? [f.customer] : [])));
    for (const customer of customers) if (!named.has(customer)) await collect({ customer });
    return Promise.all([...ids].map((id) => this.client.getEvent(id)));
  }

  async timelineText(): Promise<string> {
    return formatTimeline(await this.timeline());
  }

  /** Attached to the report of every test whose user saw events: what was captured, forwarded and replayed. */
  async attachTimeline(testInfo: TestInfo): Promise<void> {
    const events = await this.timeline();
    if (events.length === 0) return;
    await testInfo.attach('webhook-timeline.txt', { body: formatTimeline(events), contentType: 'text/plain' });
    await testInfo.attach('webhook-timeline.json', {
      body: JSON.stringify(events.map(({ raw: _raw, headers: _headers, ...rest }) => rest), null, 2),
      contentType: 'application/json',
    });
  }
}

function toFilter(match: EventMatch): EventFilters {
  if ('email' in match && match.email) return { email: match.email };
  if ('customer' in match && match.customer) return { customer: match.customer };
  if ('run' in match && match.run) return { run: match.run };
  throw new TypeError('webhooks.waitFor needs { email }, { customer } or { run } to tell this test\'s events from others.');
}

function describe(match: EventMatch): string {
  return Object.entries(match).map(([k, v]) => `${k} ${v}`).join(', ');
}

