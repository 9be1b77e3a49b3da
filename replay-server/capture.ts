import { ApiError } from './errors.js';
import type { ParsedEvent } from './event-body.js';
import { sendCopy, type DeliveryContext } from './forward.js';
import { publicTarget } from './replay.js';
import { verifySignature } from './signing.js';
import type { ReplayStore } from './store.js';
import type { Delivery, EventSource, SignatureMode, SignatureVerdict } from './types.js';

export interface CaptureContext extends DeliveryContext {
  store: ReplayStore;
  forwardTo: URL | undefined;
}

export interface Received {
  raw: Buffer;
  parsed: ParsedEvent;
  headers: Record<string, string>;
  source: EventSource;
  receivedAt: Date;
}

export interface CaptureOutcome {
  stored: boolean;
  signature: SignatureVerdict;
  delivery: Delivery | null;
  /** What the target answered, to pass on to the sender; null when it did not. */
  response: { status: number; body: Buffer | null; contentType: string | null } | null;
  timedOut: boolean;
}

/**
 * Stores a received event and forwards it. The forward starts while the row is being written
 * (the answer waits for both), so capturing costs the app's latency plus little more.
 *
 * A valid signature is re-signed for the target with the server's secret. An invalid or
 * missing one is passed on as received: the app must refuse it just as it would from Stripe,
 * not receive a forgery made valid by the replay server.
 */
export async function captureEvent(received: Received, context: CaptureContext): Promise<CaptureOutcome> {
  const { raw, parsed, headers, source, receivedAt } = received;
  const original = headers['stripe-signature'];
  const signature = original === undefined && source === 'injected' ? 'unchecked' : verifySignature(raw, original, context.secret);
  const storing = context.store.addEvent({ fields: parsed.fields, source, receivedAt, signature, headers, raw });
  // Stripe retries with the same id, so a captured duplicate is forwarded again; an injected
  // duplicate is a test's mistake, refused before anything is sent.
  if (source === 'injected' && !(await storing)) {
    throw new ApiError(409, 'event_exists', `event ${parsed.fields.id} is already stored; replay it with POST /api/events/${parsed.fields.id}/replay, or inject with another id.`);
  }
  if (!context.forwardTo) return { stored: await storing, signature, delivery: null, response: null, timedOut: false };

  const mode = forwardMode(signature, original, context.secret);
  const copy = { event: { id: parsed.fields.id, raw, headers }, target: context.forwardTo, signature: mode, kind: 'forward' as const, batch: null };
  // allSettled: a failed insert must not leave the forward's outcome unobserved, nor the reverse.
  const [stored, sent] = await Promise.allSettled([storing, sendCopy(copy, context)]);
  if (stored.status === 'rejected') throw stored.reason;
  if (sent.status === 'rejected') throw sent.reason;
  const [delivery] = await context.store.recordDeliveries([sent.value.delivery]);
  const { outcome } = sent.value;
  return {
    stored: stored.value,
    signature,
    delivery: delivery!,
    response: outcome.status === null ? null : { status: outcome.status, body: outcome.responseBody, contentType: outcome.responseContentType },
    timedOut: outcome.timedOut,
  };
}

function forwardMode(verdict: SignatureVerdict, original: string | undefined, secret: string | undefined): SignatureMode {
  if (secret && (verdict === 'valid' || verdict === 'unchecked')) return 'fresh';
  return original === undefined ? 'missing' : 'original';
}

/** The answer to the sender when the forward failed: the event is stored, the app did not answer. */
export function forwardFailure(delivery: Delivery, timedOut: boolean): ApiError {
  return new ApiError(timedOut ? 504 : 502, timedOut ? 'forward_timeout' : 'forward_failed', `stored ${delivery.event_id}, but the forward to ${publicTarget(delivery.target)} failed: ${delivery.error}`);
}
