import { validateHeaderName, validateHeaderValue, type IncomingHttpHeaders } from 'node:http';
import { isRecord } from '../core/index.js';

/** Node's headers as a flat record (repeated headers joined, as Node does for most). */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/**
 * Headers given as JSON (an injection, an import), checked as HTTP checks them: a stored header
 * that cannot be sent would fail every later delivery of its event. Throws with what is wrong.
 */
export function headersFromJson(value: unknown): Record<string, string> {
  if (!isRecord(value)) throw new Error('must be an object of strings');
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new Error('must be an object of strings');
    try {
      validateHeaderName(name);
      validateHeaderValue(name, text);
    } catch {
      throw new Error(`has ${JSON.stringify(name)}, which is not a valid HTTP header (names are letters, digits and -; values are printable ASCII)`);
    }
    headers[name.toLowerCase()] = text;
  }
  return headers;
}
