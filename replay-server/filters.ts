import { badRequest } from './errors.js';
import { MAX_INDEXED_CHARS } from './event-body.js';
import { DELIVERY_OUTCOME_FILTERS, type DeliveryOutcomeFilter, type EventFilters, type EventSource } from './types.js';

export interface ParsedFilters {
  type?: string;
  customer?: string;
  email?: string;
  run?: string;
  since?: Date;
  source?: EventSource;
  teardown?: boolean;
  delivery?: DeliveryOutcomeFilter;
  /** Undefined: no limit (exports). */
  limit?: number;
}

export const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const TEXT_FILTERS = ['type', 'customer', 'email', 'run'] as const;
const KNOWN = [...TEXT_FILTERS, 'since', 'source', 'teardown', 'delivery', 'limit'];
const SOURCES: readonly EventSource[] = ['captured', 'injected', 'imported'];

/**
 * Validates filters from a query string (or the CLI). An unknown name is an error, not ignored:
 * a misspelt `emial=` would otherwise match every event and a test would wait for the wrong one.
 */
export function parseFilters(query: Record<string, unknown>, { defaultLimit }: { defaultLimit?: number } = {}): ParsedFilters {
  const unknown = Object.keys(query).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) {
    throw badRequest('unknown_filter', `unknown filter ${unknown.map((k) => `"${k}"`).join(', ')}; use ${KNOWN.join(', ')}.`);
  }
  const filters: ParsedFilters = {};
  for (const name of TEXT_FILTERS) {
    const value = single(query, name);
    if (value !== undefined) filters[name] = value;
  }
  const since = single(query, 'since');
  if (since !== undefined) filters.since = parseInstant(since);
  const source = single(query, 'source');
  if (source !== undefined) {
    if (!SOURCES.includes(source as EventSource)) throw badRequest('invalid_filter', `source must be one of ${SOURCES.join(', ')}.`);
    filters.source = source as EventSource;
  }
  const teardown = single(query, 'teardown');
  if (teardown !== undefined) {
    if (teardown !== 'true' && teardown !== 'false') throw badRequest('invalid_filter', 'teardown must be true or false.');
    filters.teardown = teardown === 'true';
  }
  const delivery = single(query, 'delivery');
  if (delivery !== undefined) {
    if (!(DELIVERY_OUTCOME_FILTERS as readonly string[]).includes(delivery)) {
      throw badRequest('invalid_filter', `delivery must be one of ${DELIVERY_OUTCOME_FILTERS.join(', ')} (the last delivery got a 2xx, got anything else, or there was none).`);
    }
    filters.delivery = delivery as DeliveryOutcomeFilter;
  }
  const limit = single(query, 'limit');
  if (limit !== undefined) {
    // Digits only: Number() also reads 0x10, 1e2 and ' 1'.
    const n = /^\d+$/.test(limit) ? Number(limit) : Number.NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw badRequest('invalid_filter', `limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    filters.limit = n;
  } else if (defaultLimit !== undefined) {
    filters.limit = defaultLimit;
  }
  return filters;
}

/** The query string for filters, as the client sends them. */
export function filtersToQuery(filters: EventFilters): URLSearchParams {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (value === undefined || value === null) continue;
    query.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  return query;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw badRequest('invalid_filter', `give ${name} once, with a value.`);
  if (value.length > MAX_INDEXED_CHARS) throw badRequest('invalid_filter', `${name} is longer than ${MAX_INDEXED_CHARS} characters.`);
  if (value.includes('\0')) throw badRequest('invalid_filter', `${name} contains a NUL character, which no stored event has.`);
  return value;
}

/** ISO 8601, or unix seconds like Stripe's `created`. */
function parseInstant(value: string): Date {
  // Date() alone reads "-1" as the year 2001: an ISO 8601 time starts with its year.
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw badRequest('invalid_filter', `since must be an ISO 8601 time (2024-05-01T12:00:00Z) or unix seconds, got "${value}".`);
  }
  return date;
}
