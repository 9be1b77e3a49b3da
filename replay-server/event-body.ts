import { isRecord } from '../core/index.js';
import { badRequest } from './errors.js';

/** The columns derived from an event's JSON, so that filters use indexes, not JSON scans. */
export interface EventFields {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  customer: string | null;
  email: string | null;
  run: string | null;
}

export interface ParsedEvent {
  payload: Record<string, unknown>;
  fields: EventFields;
}

// fatal: bytes that are not UTF-8 are refused rather than silently replaced, so `raw` as text is
// always the exact bytes. ignoreBOM keeps a BOM in the text, where JSON.parse refuses it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses a webhook body as Stripe sends it: a JSON event object with an `evt_…` id and a type. */
export function parseEventBody(raw: Uint8Array): ParsedEvent {
  const payload = parseJsonObject(raw);
  return { payload, fields: eventFields(payload) };
}

/** `expected`: what the route takes, for the messages. */
export function parseJsonObject(raw: Uint8Array, expected = 'the event as JSON'): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw badRequest('invalid_json', `the body is not UTF-8 text; send ${expected}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest('invalid_json', `the body is not valid JSON (${(error as Error).message}); send ${expected}.`);
  }
  if (!isRecord(value)) throw badRequest('invalid_event', `the body must be a JSON object: ${expected}.`);
  return value;
}

/** Longest customer, email or run the store indexes (and a filter may name): well under Postgres's index row limit. */
export const MAX_INDEXED_CHARS = 500;
const EVENT_ID = /^evt_[A-Za-z0-9_]{1,250}$/;

/** Whether `id` can be an event id at all: anything else is not stored, so need not be looked up. */
export function isEventId(id: string): boolean {
  return EVENT_ID.test(id);
}

/**
 * The columns, checked against what Postgres stores, so that an event the store would refuse is
 * refused before anything is forwarded: text never holds NUL, an index row has a size limit,
 * `created` is a bigint.
 */
function eventFields(payload: Record<string, unknown>): EventFields {
  const { id, type, created = 0 } = payload;
  if (typeof id !== 'string' || !isEventId(id)) {
    throw badRequest('invalid_event', 'the event needs an "id" like "evt_…" (letters, digits and underscores).');
  }
  if (typeof type !== 'string' || type.length === 0 || type.length > 200 || type.includes('\0')) {
    throw badRequest('invalid_event', 'the event needs a "type" such as "checkout.session.completed" (at most 200 characters, no NUL).');
  }
  if (typeof created !== 'number' || !Number.isSafeInteger(created)) {
    throw badRequest('invalid_event', `the event's "created" must be a Unix time in whole seconds, like ${Math.floor(Date.now() / 1000)}.`);
  }
  const data = isRecord(payload.data) ? payload.data : {};
  const object = isRecord(data.object) ? data.object : {};
  return {
    id,
    type,
    created,
    livemode: payload.livemode === true,
    customer: indexable('customer', customerOf(object)),
    email: indexable('email', emailOf(object)),
    run: indexable('metadata.vibes_run', runOf(object)),
  };
}

function indexable(name: string, value: string | null): string | null {
  if (value !== null && (value.length > MAX_INDEXED_CHARS || value.includes('\0'))) {
    throw badRequest('invalid_event', `the event object's ${name} must be at most ${MAX_INDEXED_CHARS} characters, without NUL.`);
  }
  return value;
}

function customerOf(object: Record<string, unknown>): string | null {
  const { customer } = object;
  if (typeof customer === 'string') return customer;
  if (isRecord(customer) && typeof customer.id === 'string') return customer.id;
  if (object.object === 'customer' && typeof object.id === 'string') return object.id;
  return null;
}

function emailOf(object: Record<string, unknown>): string | null {
  const candidates = [
    object.customer_email,
    isRecord(object.customer_details) ? object.customer_details.email : undefined,
    object.object === 'customer' ? object.email : undefined,
    isRecord(object.customer) ? object.customer.email : undefined,
    object.receipt_email,
    isRecord(object.billing_details) ? object.billing_details.email : undefined,
  ];
  const found = candidates.find((c): c is string => typeof c === 'string' && c.length > 0);
  return found ?? null;
}

/**
 * `metadata.vibes_run` of the object, else of a nested object (subscription_details on invoices,
 * an expanded customer, line items): a bounded breadth-first walk, a few levels deep.
 */
function runOf(object: Record<string, unknown>): string | null {
  let level: unknown[] = [object];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const node of level.slice(0, 200)) {
      if (Array.isArray(node)) {
        next.push(...node);
        continue;
      }
      if (!isRecord(node)) continue;
      const metadata = node.metadata;
      if (isRecord(metadata) && typeof metadata.vibes_run === 'string' && metadata.vibes_run) return metadata.vibes_run;
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'metadata' && value !== null && typeof value === 'object') next.push(value);
      }
    }
    level = next;
  }
  return null;
}

