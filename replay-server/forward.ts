import type net from 'node:net';
import { deliver, type DeliveryOutcome } from './deliver.js';
import { signatureHeader } from './signing.js';
import type { EventForReplay } from './store.js';
import type { Delivery, DeliveryKind, SignatureMode } from './types.js';

/** What every delivery needs to know about the server. */
export interface DeliveryContext {
  secret: string | undefined;
  forwardTimeoutMs: number;
}

const RESPONSE_EXCERPT_CHARS = 1000;
const STRIPE_USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

export interface Copy {
  event: EventForReplay;
  target: URL;
  signature: SignatureMode;
  kind: DeliveryKind;
  batch: string | null;
  /** Destroy the connection once the body is sent, without reading the answer (see `deliver`). */
  cutOff?: boolean;
}

/** The request a copy is sent as: the stored bytes, untouched, with the header the mode asks for. */
export function prepareCopy({ event, signature }: Copy, { secret }: DeliveryContext): { body: Buffer; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    'content-type': event.headers['content-type'] ?? 'application/json; charset=utf-8',
    'user-agent': event.headers['user-agent'] ?? STRIPE_USER_AGENT,
  };
  const header = signatureHeader(signature, { raw: event.raw.toString('utf8'), secret, original: event.headers['stripe-signature'] });
  if (header !== undefined) headers['stripe-signature'] = header;
  return { body: event.raw, headers };
}

/** Sends one copy and describes it as a delivery (without the id the store gives it). */
export async function sendCopy(
  copy: Copy,
  context: DeliveryContext,
  prepared = prepareCopy(copy, context),
  connection?: net.Socket | Error,
): Promise<{ delivery: Omit<Delivery, 'id'>; outcome: DeliveryOutcome }> {
  const outcome =
    connection instanceof Error
      ? failedBeforeSending(connection)
      : await deliver({ target: copy.target, ...prepared }, { timeoutMs: context.forwardTimeoutMs, connection, cutOff: copy.cutOff });
  return { delivery: describeDelivery(copy, outcome), outcome };
}

function describeDelivery(copy: Copy, outcome: DeliveryOutcome): Omit<Delivery, 'id'> {
  return {
    event_id: copy.event.id,
    kind: copy.kind,
    signature: copy.signature,
    target: copy.target.toString(),
    started_at: outcome.startedAt.toISOString(),
    latency_ms: outcome.latencyMs,
    status: outcome.status,
    response_excerpt: outcome.responseBody ? storableText(outcome.responseBody.toString('utf8', 0, RESPONSE_EXCERPT_CHARS * 4).slice(0, RESPONSE_EXCERPT_CHARS)) : null,
    error: outcome.error === null ? null : storableText(outcome.error),
    batch: copy.batch,
  };
}

/** Postgres text cannot hold NUL, and an app's answer may: without this its delivery could not be stored. */
function storableText(text: string): string {
  return text.replaceAll('\0', '\uFFFD');
}

function failedBeforeSending(error: Error): DeliveryOutcome {
  return {
    startedAt: new Date(),
    flushedAt: Number.NaN,
    latencyMs: null,
    status: null,
    error: error.message,
    timedOut: false,
    responseBody: null,
    responseContentType: null,
  };
}
