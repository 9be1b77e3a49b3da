import { isRecord, randomEventId } from '../core/index.js';
import { ApiError, badRequest } from './errors.js';
import { parseEventBody, parseJsonObject, type ParsedEvent } from './event-body.js';
import { headersFromJson } from './headers.js';

/** The body of `POST /api/events`. */
export interface Injection {
  /** The event: an object (missing `id`, `object`, `created`, `livemode` are filled in), or its exact JSON text. */
  event: object | string;
  /** Headers to store as if the event had arrived with them (e.g. a `stripe-signature`). */
  headers?: Record<string, string>;
  /** False: store only, so that a later replay is the event's first delivery (default true). */
  deliver?: boolean;
}

export function parseInjection(body: Uint8Array): { raw: Buffer; parsed: ParsedEvent; headers: Record<string, string>; deliver: boolean } {
  const envelope = parseJsonObject(body);
  const unknown = Object.keys(envelope).filter((k) => k !== 'event' && k !== 'headers' && k !== 'deliver');
  if (unknown.length > 0 || envelope.event === undefined) {
    throw badRequest('invalid_injection', 'send {"event": {...a Stripe event...}, "headers"?: {...}, "deliver"?: false}; "event" may also be the exact JSON text as a string.');
  }
  const { event, headers = {}, deliver = true } = envelope;
  if (typeof deliver !== 'boolean') throw badRequest('invalid_injection', '"deliver" must be true or false.');
  let checked: Record<string, string>;
  try {
    checked = headersFromJson(headers);
  } catch (error) {
    throw badRequest('invalid_injection', `"headers" ${(error as Error).message}.`);
  }
  let raw: Buffer;
  if (typeof event === 'string') raw = Buffer.from(event, 'utf8');
  else if (isRecord(event)) raw = Buffer.from(JSON.stringify(completeEvent(event), null, 2), 'utf8');
  else throw badRequest('invalid_injection', '"event" must be an object or a JSON string.');
  return { raw, parsed: parsedEvent(raw, typeof event === 'string'), headers: checked, deliver };
}

/** The event's own problems are the `event` field's, not the body's: the body itself was JSON. */
function parsedEvent(raw: Buffer, fromString: boolean): ParsedEvent {
  try {
    return parseEventBody(raw);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError(error.status, error.code, `"event": ${fromString ? error.message.replace(/^the body/, 'the string') : error.message.replace(/^the body/, 'the object')}`);
  }
}

/** Fills what Stripe always sends, so a test can inject `{ type, data }` and nothing more. */
function completeEvent(event: Record<string, unknown>): Record<string, unknown> {
  return {
    id: randomEventId(),
    object: 'event',
    api_version: null,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    ...event,
  };
}
