import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { isRecord } from '../core/index.js';
import { ApiError } from './errors.js';
import { parseEventBody } from './event-body.js';
import { headersFromJson } from './headers.js';
import { filtersToQuery, parseFilters } from './filters.js';
import { migrateReplaySchema } from './schema.js';
import { insertEvents, type NewEvent } from './rows.js';
import { ReplayStore } from './store.js';
import type { EventFilters, EventSource, ImportResult, SignatureVerdict } from './types.js';

/** One line of an export: enough to store the event again, byte for byte, elsewhere. */
export interface ExportedEvent {
  id: string;
  type: string;
  /** Where the event first came from (an import stores it as `imported`). */
  source: EventSource;
  received_at: string;
  signature: SignatureVerdict;
  teardown: boolean;
  headers: Record<string, string>;
  /** The exact bytes received, as UTF-8 (always valid: the server refuses other bodies). */
  raw: string;
}

const VERDICTS: readonly SignatureVerdict[] = ['valid', 'invalid', 'missing', 'unchecked'];

/** What is wrong with the filters of an export, as the API would say it; undefined when nothing is. */
export function exportFiltersProblem(filters: EventFilters): string | undefined {
  try {
    parseFilters(Object.fromEntries(filtersToQuery(filters)));
    return undefined;
  } catch (error) {
    if (error instanceof ApiError) return error.message;
    throw error;
  }
}

/** Writes matching events as NDJSON, oldest first; resolves with how many. Bad filters change nothing. */
export async function exportEvents(
  pool: pg.Pool,
  write: (chunk: string) => unknown,
  filters: EventFilters = {},
): Promise<number> {
  const parsed = parseFilters(Object.fromEntries(filtersToQuery(filters)));
  await migrateReplaySchema(pool);
  let count = 0;
  for await (const row of new ReplayStore(pool).stream(parsed)) {
    const line: ExportedEvent = {
      id: row.id,
      type: row.type,
      source: row.source,
      received_at: row.received_at.toISOString(),
      signature: row.signature,
      teardown: row.teardown,
      headers: row.headers,
      raw: row.raw.toString('utf8'),
    };
    await write(`${JSON.stringify(line)}\n`);
    count++;
  }
  return count;
}

/** Events per check of the abort signal while importing: a few statements' worth. */
const IMPORT_SLICE = 512;

/**
 * Stores the events of an NDJSON export, all or nothing: a bad line (named by its number)
 * imports none, and neither does an import stopped by `signal` (Ctrl-C), which rolls back.
 * Events already stored are skipped, so importing twice is harmless.
 */
export async function importEvents(pool: pg.Pool, input: string | NodeJS.ReadableStream, signal?: AbortSignal): Promise<ImportResult> {
  const events: NewEvent[] = [];
  const lines = createInterface({ input: typeof input === 'string' ? Readable.from([input]) : input, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    events.push(parseExportedLine(line, number));
  }
  try {
    return await storeAll(pool, events, signal);
  } catch (error) {
    // Stopped while its database was being closed too: what failed says nothing the user needs.
    if (signal?.aborted) throw new Error(`the import was stopped: nothing was imported (an import is all or nothing).`);
    throw error;
  }
}

async function storeAll(pool: pg.Pool, events: NewEvent[], signal: AbortSignal | undefined): Promise<ImportResult> {
  await migrateReplaySchema(pool);
  const client = await pool.connect();
  try {
    await client.query('begin');
    let imported = 0;
    for (let i = 0; i < events.length; i += IMPORT_SLICE) {
      signal?.throwIfAborted();
      imported += (await insertEvents(client, events.slice(i, i + IMPORT_SLICE))).filter(Boolean).length;
    }
    await client.query('commit');
    return { imported, skipped: events.length - imported };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function parseExportedLine(line: string, number: number): NewEvent {
  const fail = (message: string) => new ApiError(400, 'invalid_import', `line ${number}: ${message}`);
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw fail('not valid JSON; expected one exported event per line.');
  }
  if (!isRecord(value) || typeof value.raw !== 'string') throw fail('expected an exported event with a "raw" string.');
  const raw = Buffer.from(value.raw, 'utf8');
  let parsed;
  try {
    parsed = parseEventBody(raw);
  } catch (error) {
    throw fail(`raw is not a Stripe event: ${(error as Error).message}`);
  }
  if (value.id !== undefined && value.id !== parsed.fields.id) throw fail(`id ${JSON.stringify(value.id)} differs from the id in raw (${parsed.fields.id}).`);
  const receivedAt = typeof value.received_at === 'string' ? new Date(value.received_at) : new Date(Number.NaN);
  if (Number.isNaN(receivedAt.getTime())) throw fail('received_at must be an ISO 8601 time.');
  const signature = value.signature ?? 'unchecked';
  if (!VERDICTS.includes(signature as SignatureVerdict)) throw fail(`signature must be one of ${VERDICTS.join(', ')}.`);
  let headers: Record<string, string>;
  try {
    headers = headersFromJson(value.headers ?? {});
  } catch (error) {
    throw fail(`headers ${(error as Error).message}.`);
  }
  return {
    fields: parsed.fields,
    source: 'imported',
    receivedAt,
    signature: signature as SignatureVerdict,
    headers,
    raw,
    teardown: value.teardown === true,
  };
}
