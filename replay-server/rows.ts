import type pg from 'pg';
import type { EventFields } from './event-body.js';
import type { Delivery, EventSource, SignatureVerdict } from './types.js';

export interface NewEvent {
  fields: EventFields;
  source: EventSource;
  receivedAt: Date;
  signature: SignatureVerdict;
  headers: Record<string, string>;
  raw: Uint8Array;
  teardown?: boolean;
}

export type Row = { event: NewEvent } | { delivery: Delivery };

/**
 * Writes events and deliveries in ONE statement (one round trip, one commit), whatever the
 * mix: under load, the group commit hands it everything that queued meanwhile. Returns, per
 * row, whether it was new (an event whose id is already stored is left unchanged).
 */
export async function insertRows(db: pg.Pool | pg.PoolClient, rows: Row[]): Promise<boolean[]> {
  const events = rows.flatMap((r) => ('event' in r ? [r.event] : []));
  const deliveries = rows.flatMap((r) => ('delivery' in r ? [r.delivery] : []));
  const { rows: inserted } = await db.query({
    name: 'vibes-replay-insert-rows',
    text: `with new_deliveries as (
             insert into vibes.replay_deliveries
               (id, event_id, kind, signature, target, started_at, latency_ms, status, response_excerpt, error, batch)
             select * from unnest($14::bigint[], $15::text[], $16::text[], $17::text[], $18::text[], $19::timestamptz[],
               $20::float8[], $21::int[], $22::text[], $23::text[], $24::text[])
           )
           insert into vibes.replay_events
             (id, type, created, livemode, source, received_at, signature, customer, email, run, teardown, headers, raw)
           select * from unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::text[], $6::timestamptz[],
             $7::text[], $8::text[], $9::text[], $10::text[], $11::boolean[], $12::jsonb[], $13::bytea[])
           on conflict (id) do nothing
           returning id`,
    values: [
      events.map((e) => e.fields.id),
      events.map((e) => e.fields.type),
      events.map((e) => e.fields.created),
      events.map((e) => e.fields.livemode),
      events.map((e) => e.source),
      events.map((e) => e.receivedAt),
      events.map((e) => e.signature),
      events.map((e) => e.fields.customer),
      events.map((e) => e.fields.email),
      events.map((e) => e.fields.run),
      events.map((e) => e.teardown ?? false),
      events.map((e) => JSON.stringify(e.headers)),
      events.map((e) => Buffer.from(e.raw.buffer, e.raw.byteOffset, e.raw.byteLength)),
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.event_id),
      deliveries.map((d) => d.kind),
      deliveries.map((d) => d.signature),
      deliveries.map((d) => d.target),
      deliveries.map((d) => d.started_at),
      deliveries.map((d) => d.latency_ms),
      deliveries.map((d) => d.status),
      deliveries.map((d) => d.response_excerpt),
      deliveries.map((d) => d.error),
      deliveries.map((d) => d.batch),
    ],
  });
  const fresh = new Set(inserted.map((r) => r.id as string));
  // Two copies of one id in a batch: the first is the stored one.
  return rows.map((r) => ('event' in r ? fresh.delete(r.event.fields.id) : true));
}
