import type pg from 'pg';
import { ChangeFeed } from './changes.js';
import { isEventId } from './event-body.js';
import type { ParsedFilters } from './filters.js';
import { DeliveryLog, type NewDelivery } from './delivery-log.js';
import { GroupCommit } from './group-commit.js';
import { MAX_ROWS_PER_STATEMENT, insertDeliveries, insertEvents, type NewEvent } from './rows.js';
import type { Delivery, DeliveryKind, DeliveryOutcomeFilter, EventDetail, EventSource, EventSummary, SignatureMode, SignatureVerdict } from './types.js';

export type { NewEvent } from './rows.js';


/** What replaying needs; never changes once stored, so it can be cached. */
export interface EventForReplay {
  id: string;
  raw: Buffer;
  headers: Record<string, string>;
}

export interface StoredEventRow extends EventForReplay {
  type: string;
  source: EventSource;
  received_at: Date;
  signature: SignatureVerdict;
  teardown: boolean;
}

/**
 * Teardown is decided when read, not when captured: a test's cleanup names the customers it is
 * about to delete (POST /api/teardown), and what deleting them causes (customer.deleted,
 * customer.subscription.deleted, payment_method.detached, …) arriving after that is teardown,
 * at no cost to the capture path. An event Stripe merely delivered late (a customer.created)
 * is not. Imported events keep the mark they were exported with.
 */
const TEARDOWN = `(e.teardown or ((e.type like '%.deleted' or e.type like '%.detached') and exists (
  select 1 from vibes.replay_teardowns t where t.customer = e.customer and e.received_at >= t.registered_at)))`;

const SUMMARY_COLUMNS = `
  e.id, e.type, e.created, e.livemode, e.source, e.received_at, e.signature, e.customer, e.email, e.run, ${TEARDOWN} as teardown,
  (select count(*) from vibes.replay_deliveries d where d.event_id = e.id)::int as delivery_count,
  (select d.status from vibes.replay_deliveries d where d.event_id = e.id order by d.started_at desc, d.id desc limit 1) as last_status`;

// The last delivery's status, 0 when it got no answer, null when there was none.
const LAST_OUTCOME = `(select coalesce(d.status, 0) from vibes.replay_deliveries d where d.event_id = e.id order by d.started_at desc, d.id desc limit 1)`;
const DELIVERY_OUTCOME: Record<DeliveryOutcomeFilter, string> = {
  ok: `${LAST_OUTCOME} between 200 and 299`,
  failed: `${LAST_OUTCOME} not between 200 and 299`,
  none: 'not exists (select 1 from vibes.replay_deliveries d where d.event_id = e.id)',
};

const DELIVERY_COLUMNS = 'id, event_id, kind, signature, target, started_at, latency_ms, status, response_excerpt, error, batch';

/**
 * The replay server's tables. Events go through a group commit: a burst of webhooks costs a few
 * statements, and a caller resolves only once its event is stored. Deliveries are written
 * behind the answers (see DeliveryLog); reads wait for them.
 */
export class ReplayStore {
  private readonly events: GroupCommit<NewEvent, boolean>;
  private readonly deliveries: DeliveryLog;
  private readonly replayCache = new Map<string, EventForReplay>();
  /** New events and deliveries, for the dashboard's live view. */
  readonly changes = new ChangeFeed();

  constructor(private readonly pool: pg.Pool) {
    const maxBatch = MAX_ROWS_PER_STATEMENT;
    this.events = new GroupCommit((batch) => insertEvents(pool, batch), { maxBatch });
    const deliveries = new GroupCommit<Delivery, void>(async (batch) => {
      await insertDeliveries(pool, batch);
      return batch.map(() => undefined);
    }, { maxBatch });
    this.deliveries = new DeliveryLog(pool, (delivery) => deliveries.add(delivery));
  }

  /** Stores the event; false when one with its id was already stored (left unchanged). */
  addEvent(event: NewEvent): Promise<boolean> {
    const adding = this.events.add(event);
    if (this.changes.listening) {
      void adding.then((fresh) => fresh && this.changes.publish({ kind: 'event', id: event.fields.id }), () => {});
    }
    return adding;
  }

  /** Names the deliveries at once; they are stored shortly after (before any read through this store). */
  recordDeliveries(deliveries: NewDelivery[]): Promise<Delivery[]> {
    const recording = this.deliveries.record(deliveries);
    if (this.changes.listening) {
      const eventIds = [...new Set(deliveries.map((d) => d.event_id))];
      void recording.then(() => this.changes.publish({ kind: 'deliveries', eventIds }), () => {});
    }
    return recording;
  }

  /** Resolves once every delivery recorded so far is stored. */
  settled(): Promise<void> {
    return this.deliveries.settled();
  }

  async list(filters: ParsedFilters): Promise<{ data: EventSummary[]; has_more: boolean }> {
    await this.settled();
    const { where, params } = whereClause(filters);
    const limit = filters.limit ?? 100;
    params.push(limit + 1);
    const { rows } = await this.query(
      `select ${SUMMARY_COLUMNS} from vibes.replay_events e ${where} order by e.received_at desc, e.id desc limit $${params.length}`,
      params,
    );
    return { data: rows.slice(0, limit).map(toSummary), has_more: rows.length > limit };
  }

  async get(id: string): Promise<EventDetail | undefined> {
    if (!isEventId(id)) return undefined;
    await this.settled();
    const [{ rows }, deliveries] = await Promise.all([
      this.query(`select ${SUMMARY_COLUMNS}, e.headers, e.raw from vibes.replay_events e where e.id = $1`, [id]),
      this.deliveriesOf(id),
    ]);
    const row = rows[0];
    if (!row) return undefined;
    const raw = (row.raw as Buffer).toString('utf8');
    return { ...toSummary(row), payload: JSON.parse(raw), raw, headers: row.headers, deliveries };
  }

  async deliveriesOf(id: string): Promise<Delivery[]> {
    const { rows } = await this.query(
      `select ${DELIVERY_COLUMNS} from vibes.replay_deliveries where event_id = $1 order by started_at, id`,
      [id],
    );
    return rows.map(toDelivery);
  }

  /** The stored bytes and headers of an event, from memory after the first read. */
  async forReplay(id: string): Promise<EventForReplay | undefined> {
    if (!isEventId(id)) return undefined;
    const cached = this.replayCache.get(id);
    if (cached) return cached;
    const { rows } = await this.query('select id, raw, headers from vibes.replay_events where id = $1', [id], 'replay-event');
    const row = rows[0];
    if (!row) return undefined;
    const event: EventForReplay = { id: row.id, raw: row.raw, headers: row.headers };
    if (this.replayCache.size >= 1000) this.replayCache.delete(this.replayCache.keys().next().value!);
    this.replayCache.set(id, event);
    return event;
  }

  /** Marks every event of these customers from now on as caused by test teardown. */
  async markTeardown(customers: readonly string[]): Promise<void> {
    // The server's clock, as for received_at: Postgres's now() is another clock (maybe another
    // machine's) with microseconds, which an event received in the same millisecond would precede.
    await this.query(
      `insert into vibes.replay_teardowns (customer, registered_at) select unnest($1::text[]), $2
       on conflict (customer) do update set registered_at = least(vibes.replay_teardowns.registered_at, excluded.registered_at)`,
      [customers, new Date()],
    );
  }

  /** Events for export, oldest first, a page at a time (keyset on received_at, id). */
  async *stream(filters: ParsedFilters, pageSize = 500): AsyncGenerator<StoredEventRow> {
    let after: { at: Date; id: string } | undefined;
    let remaining = filters.limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const { where, params } = whereClause(filters);
      let clause = where;
      if (after) {
        params.push(after.at, after.id);
        clause += `${clause ? ' and' : 'where'} (e.received_at, e.id) > ($${params.length - 1}, $${params.length})`;
      }
      params.push(Math.min(pageSize, remaining));
      const { rows } = await this.query(
        `select e.id, e.type, e.source, e.received_at, e.signature, ${TEARDOWN} as teardown, e.headers, e.raw
           from vibes.replay_events e ${clause} order by e.received_at, e.id limit $${params.length}`,
        params,
      );
      for (const row of rows) yield row as StoredEventRow;
      if (rows.length < pageSize) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1]!;
      after = { at: last.received_at, id: last.id };
    }
  }

  private query(text: string, values: unknown[], name?: string): Promise<pg.QueryResult> {
    return this.pool.query({ text, values, name });
  }
}

function whereClause(filters: ParsedFilters): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (filters.type !== undefined) add((p) => `e.type = ${p}`, filters.type);
  if (filters.customer !== undefined) add((p) => `e.customer = ${p}`, filters.customer);
  // An email finds its customer's events too: a payment intent, a charge or a subscription names
  // the customer but carries no email, while its Checkout Session or customer.created carries both.
  if (filters.email !== undefined) {
    add((p) => `(lower(e.email) = lower(${p}) or e.customer in (select c.customer from vibes.replay_events c where lower(c.email) = lower(${p}) and c.customer is not null))`, filters.email);
  }
  // A run finds its customers' other events too: Checkout makes the customer, so customer.created,
  // the payment intent and the charge carry no metadata the app could have tagged.
  if (filters.run !== undefined) {
    add((p) => `(e.run = ${p} or e.customer in (select c.customer from vibes.replay_events c where c.run = ${p} and c.customer is not null))`, filters.run);
  }
  if (filters.since !== undefined) add((p) => `e.received_at >= ${p}`, filters.since);
  if (filters.source !== undefined) add((p) => `e.source = ${p}`, filters.source);
  if (filters.teardown !== undefined) add((p) => `${TEARDOWN} = ${p}`, filters.teardown);
  if (filters.delivery !== undefined) conditions.push(DELIVERY_OUTCOME[filters.delivery]);
  return { where: conditions.length ? `where ${conditions.join(' and ')}` : '', params };
}

function toSummary(row: Record<string, any>): EventSummary {
  return {
    id: row.id,
    type: row.type,
    created: Number(row.created),
    livemode: row.livemode,
    source: row.source,
    received_at: (row.received_at as Date).toISOString(),
    signature: row.signature,
    customer: row.customer,
    email: row.email,
    run: row.run,
    teardown: row.teardown,
    delivery_count: row.delivery_count,
    last_status: row.last_status,
  };
}

function toDelivery(row: Record<string, any>): Delivery {
  return {
    id: Number(row.id),
    event_id: row.event_id,
    kind: row.kind as DeliveryKind,
    signature: row.signature as SignatureMode,
    target: row.target,
    started_at: (row.started_at as Date).toISOString(),
    latency_ms: row.latency_ms,
    status: row.status,
    response_excerpt: row.response_excerpt,
    error: row.error,
    batch: row.batch,
  };
}
