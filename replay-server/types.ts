import type { Stopped } from './run-limit.js';
/** Where a stored event came from. */
export type EventSource = 'captured' | 'injected' | 'imported';

/** The verdict on the Stripe-Signature header an event arrived with. */
export type SignatureVerdict = 'valid' | 'invalid' | 'missing' | 'unchecked';

/** How a delivery was signed; everything but `fresh` exists to test the app's verification. */
export const SIGNATURE_MODES = ['fresh', 'original', 'stale', 'future', 'wrong-secret', 'missing'] as const;
export type SignatureMode = (typeof SIGNATURE_MODES)[number];

export function isSignatureMode(value: unknown): value is SignatureMode {
  return typeof value === 'string' && (SIGNATURE_MODES as readonly string[]).includes(value);
}

export type DeliveryKind = 'forward' | 'replay';

export interface EventSummary {
  /** Stripe's event id, `evt_…`. */
  id: string;
  type: string;
  /** Stripe's `created` (unix seconds). */
  created: number;
  livemode: boolean;
  source: EventSource;
  /** When this server received it (ISO 8601). */
  received_at: string;
  signature: SignatureVerdict;
  customer: string | null;
  email: string | null;
  /** `metadata.vibes_run` of the event's object: matches events to the test run that caused them. */
  run: string | null;
  /** Set for webhooks caused by test cleanup, so assertions can ignore them. */
  teardown: boolean;
  delivery_count: number;
  last_status: number | null;
}

export interface EventDetail extends EventSummary {
  payload: Record<string, unknown>;
  /** The exact bytes received, as UTF-8. */
  raw: string;
  headers: Record<string, string>;
  deliveries: Delivery[];
}

export interface Delivery {
  id: number;
  event_id: string;
  kind: DeliveryKind;
  signature: SignatureMode;
  target: string;
  /** ISO 8601 with milliseconds. */
  started_at: string;
  /** Until the whole response arrived; null when none did. */
  latency_ms: number | null;
  status: number | null;
  response_excerpt: string | null;
  error: string | null;
  /** The replay call that produced it (`rpl_…`); null for forwards. */
  batch: string | null;
}

export interface EventList {
  data: EventSummary[];
  has_more: boolean;
}

/**
 * Events by their last delivery: `ok` got a 2xx answer, `failed` got another status or none
 * (refused, reset, timed out), `none` was never delivered.
 */
export const DELIVERY_OUTCOME_FILTERS = ['ok', 'failed', 'none'] as const;
export type DeliveryOutcomeFilter = (typeof DELIVERY_OUTCOME_FILTERS)[number];

export interface EventFilters {
  type?: string;
  customer?: string;
  /** Case-insensitive. */
  email?: string;
  /** `metadata.vibes_run`. */
  run?: string;
  /** Received at or after this instant (ISO 8601, or unix seconds). */
  since?: string | number | Date;
  source?: EventSource;
  teardown?: boolean;
  /** By the last delivery's outcome. */
  delivery?: DeliveryOutcomeFilter;
  /** 1..1000, default 100. Newest first. */
  limit?: number;
}

export interface ReplayOptions {
  /** Copies to deliver, 1..1000 (default 1). */
  times?: number;
  /** Copies started together, 1..times (default 1). Waves of this size start one after another. */
  concurrency?: number;
  /** Pause between the starts of successive waves (default 0). */
  spacingMs?: number;
  /** Default `fresh`. */
  signature?: SignatureMode;
  /** Default: the server's forward target. */
  target?: string;
}

export interface ReplayResult {
  deliveries: Delivery[];
  /** Largest gap between the first and the last start of copies meant to start together. */
  start_spread_ms: number;
  /** Why copies were left unsent (the run limit passed, the caller hung up); null when every copy went. */
  stopped: Stopped | null;
}

export interface ImportResult {
  imported: number;
  /** Already stored (same id): left as they were. */
  skipped: number;
}

export interface Health {
  ok: true;
  forward_to: string | null;
  signing: boolean;
}

export interface ErrorBody {
  error: { message: string; code: string };
}
