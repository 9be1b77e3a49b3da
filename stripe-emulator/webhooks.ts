import Stripe from 'stripe';
import { newId } from './ids.js';
import type { StripeObject } from './types.js';

export interface WebhookTarget {
  endpointId: string;
  url: string;
  secret: string;
}

/** One POST to one endpoint, as `GET /_vibes/deliveries` reports it. */
export interface DeliveryAttempt {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  url: string;
  /** 1 for the first try, 2 for the first retry, … */
  attempt: number;
  /** Milliseconds since the epoch. */
  started_at: number;
  finished_at: number | null;
  /** HTTP status of the answer, or null when there was none (timeout, refused connection). */
  status: number | null;
  error: string | null;
  succeeded: boolean;
  /** When the next retry is due (ms since the epoch), null when none will follow. */
  next_retry_at: number | null;
}

export interface WebhookDeliveryOptions {
  /** Milliseconds to wait before each retry; its length is the number of retries. */
  retrySchedule: number[];
  /** How long one attempt may take before it counts as failed. */
  timeoutMs: number;
  /** Called when an endpoint has acknowledged an event (for `pending_webhooks`). */
  onDelivered(eventId: string): void;
  /** Whether the endpoint still exists and is enabled; asked before every attempt. */
  isEnabled(endpointId: string): boolean;
}

/**
 * Stripe's schedule (an hour, then hours, up to three days) compressed to seconds, so a test sees
 * the same shape of retries: growing gaps between attempts after a non-2xx answer or a timeout.
 */
export const DEFAULT_RETRY_SCHEDULE = [500, 1000, 2000, 4000, 8000];
export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';
const MAX_RECORDED_ATTEMPTS = 10_000;

/**
 * Delivers events to webhook endpoints the way Stripe does: each event on its own (so a failing
 * event never blocks the next), signed per attempt over the exact bytes sent, retried on the
 * schedule until a 2xx answer.
 */
export class WebhookDeliverer {
  private readonly attempts: DeliveryAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private generation = 0;

  constructor(private readonly options: WebhookDeliveryOptions) {}

  /** Starts delivery after the current request has been answered. */
  enqueue(event: StripeObject, target: WebhookTarget): void {
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event, target, 1, generation);
    }, 0);
    this.timers.add(timer);
  }

  deliveries(): DeliveryAttempt[] {
    return this.attempts.map((a) => ({ ...a }));
  }

  /** Attempts still to be made or under way, for `/_vibes/state`. */
  pendingCount(): number {
    return this.timers.size + this.inFlight.size;
  }

  /** Forgets every delivery and cancels retries still scheduled. */
  reset(): void {
    this.generation++;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
    this.attempts.length = 0;
  }

  close(): void {
    this.reset();
  }

  private async attempt(event: StripeObject, target: WebhookTarget, attempt: number, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    // Like Stripe, stop (retries included) once the endpoint has been deleted or disabled.
    if (!this.options.isEnabled(target.endpointId)) return;
    const record: DeliveryAttempt = {
      id: newId('whdel', 16),
      event_id: event.id,
      event_type: String(event.type),
      endpoint_id: target.endpointId,
      url: target.url,
      attempt,
      started_at: Date.now(),
      finished_at: null,
      status: null,
      error: null,
      succeeded: false,
      next_retry_at: null,
    };
    this.attempts.push(record);
    if (this.attempts.length > MAX_RECORDED_ATTEMPTS) this.attempts.shift();

    // Stripe sends the event pretty-printed; the signature covers exactly these bytes.
    const payload = JSON.stringify(event, null, 2);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: target.secret,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Stripe-Signature': signature,
          'User-Agent': USER_AGENT,
          Accept: '*/*; q=0.5, application/xml',
          'Cache-Control': 'no-cache',
        },
        body: payload,
        signal: controller.signal,
        redirect: 'manual',
      });
      record.status = response.status;
      // Stripe reads (and discards) the answer; draining it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
      record.succeeded = response.status >= 200 && response.status < 300;
      if (!record.succeeded) record.error = `endpoint answered HTTP ${response.status}`;
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      record.error = reason instanceof Error ? reason.message : String(reason);
      const cause = (error as { cause?: { code?: string } }).cause;
      if (!controller.signal.aborted && cause?.code) record.error = `${record.error} (${cause.code})`;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
      record.finished_at = Date.now();
    }
    if (generation !== this.generation) return;
    if (record.succeeded) {
      this.options.onDelivered(event.id);
      return;
    }
    const delay = this.options.retrySchedule[attempt - 1];
    if (delay === undefined) return;
    record.next_retry_at = Date.now() + delay;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event, target, attempt + 1, generation);
    }, delay);
    this.timers.add(timer);
  }
}
