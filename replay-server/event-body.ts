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

export function parseJsonObject(raw: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw badRequest('invalid_json', 'the body is not UTF-8 text; send the event as JSON.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badRequest('invalid_json', `the body is not valid JSON (${(error as Error).message}); send the event as JSON.`);
  }
  if (!isObject(value)) throw badRequest('invalid_event', 'the body must be a JSON object (a Stripe event).');
  return value;
}

export function eventFields(payload: Record<string, unknown>): EventFields {
  const { id, type } = payload;
  if (typeof id !== 'string' || !/^evt_[A-Za-z0-9_]{1,250}$/.test(id)) {
    throw badRequest('invalid_event', 'the event needs an "id" like "evt_…" (letters, digits and underscores).');
  }
  if (typeof type !== 'string' || type.length === 0 || type.length > 200) {
    throw badRequest('invalid_event', 'the event needs a "type" such as "checkout.session.completed".');
  }
  const created = typeof payload.created === 'number' && Number.isInteger(payload.created) ? payload.created : 0;
  const data = isObject(payload.data) ? payload.data : {};
  const object = isObject(data.object) ? data.object : {};
  return {
    id,
    type,
    created,
    livemode: payload.livemode === true,
    customer: customerOf(object),
    email: emailOf(object),
    run: runOf(object),
  };
}

function customerOf(object: Record<string, unknown>): string | null {
  const { customer } = object;
  if (typeof customer === 'string') return customer;
  if (isObject(customer) && typeof customer.id === 'string') return customer.id;
  if (object.object === 'customer' && typeof object.id === 'string') return object.id;
  return null;
}

function emailOf(object: Record<string, unknown>): string | null {
  const candidates = [
    object.customer_email,
    isObject(object.customer_details) ? object.customer_details.email : undefined,
    object.object === 'customer' ? object.email : undefined,
    isObject(object.customer) ? object.customer.email : undefined,
    object.receipt_email,
    isObject(object.billing_details) ? object.billing_details.email : undefined,
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
      if (!isObject(node)) continue;
      const metadata = node.metadata;
      if (isObject(metadata) && typeof metadata.vibes_run === 'string' && metadata.vibes_run) return metadata.vibes_run;
      for (const [key, value] of Object.entries(node)) {
        if (key !== 'metadata' && value !== null && typeof value === 'object') next.push(value);
      }
    }
    level = next;
  }
  return null;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
