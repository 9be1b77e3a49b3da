import { isRecord } from '../core/index.js';
import { badRequest } from './errors.js';
import { parseJsonObject } from './event-body.js';

const MAX_CUSTOMERS = 1000;

/** The body of `POST /api/teardown`: `{ "customers": ["cus_…", …] }`. */
export function parseTeardown(body: Uint8Array): string[] {
  const envelope = parseJsonObject(body, '{"customers": ["cus_…"]}');
  const unknown = Object.keys(envelope).filter((key) => key !== 'customers');
  if (unknown.length > 0) throw badRequest('invalid_teardown', `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}; send {"customers": ["cus_…"]}.`);
  const { customers } = envelope;
  const valid =
    isRecord(envelope) &&
    Array.isArray(customers) &&
    customers.length > 0 &&
    customers.length <= MAX_CUSTOMERS &&
    customers.every((c) => typeof c === 'string' && /^cus_[A-Za-z0-9_]{1,250}$/.test(c));
  if (!valid) {
    throw badRequest('invalid_teardown', `send {"customers": ["cus_…"]} with 1 to ${MAX_CUSTOMERS} Stripe customer ids.`);
  }
  return customers as string[];
}
