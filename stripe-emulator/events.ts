import Stripe from 'stripe';
import type { Clock } from './clock.js';
import { newId } from './ids.js';
import type { Store } from './store.js';
import { AUTOMATIC_REQUEST, type EventRequest, type StripeObject } from './types.js';
import type { WebhookDeliverer } from './webhooks.js';

/** The API version events are rendered in: the one the bundled stripe library speaks. */
export const API_VERSION: string = Stripe.API_VERSION;

export interface EventObject extends StripeObject {
  object: 'event';
  api_version: string;
  created: number;
  data: { object: StripeObject; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: EventRequest;
  type: string;
}

export interface WebhookEndpointFields extends StripeObject {
  url: string;
  status: string;
  enabled_events: string[];
}

/** Records events (a snapshot of the object at that moment) and hands them to webhook delivery. */
export class EventBus {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly deliverer: WebhookDeliverer,
    private readonly secretOf: (endpointId: string) => string | undefined,
  ) {}

  emit(
    type: string,
    object: StripeObject,
    opts: { request?: EventRequest; previousAttributes?: Record<string, unknown> } = {},
  ): EventObject {
    const targets = this.store.collections.webhookEndpoints
      .newestFirst()
      .reverse()
      .map((endpoint) => endpoint as WebhookEndpointFields)
      .filter((endpoint) => endpoint.status === 'enabled')
      .filter((endpoint) => endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type));
    const event: EventObject = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.clock.now(),
      data: {
        object: structuredClone(object),
        ...(opts.previousAttributes ? { previous_attributes: structuredClone(opts.previousAttributes) } : {}),
      },
      livemode: false,
      pending_webhooks: targets.length,
      request: opts.request ?? AUTOMATIC_REQUEST,
      type,
    };
    this.store.collections.events.add(event);
    for (const endpoint of targets) {
      const secret = this.secretOf(endpoint.id);
      if (secret) this.deliverer.enqueue(structuredClone(event), { endpointId: endpoint.id, url: endpoint.url, secret });
    }
    return event;
  }

  /** An endpoint acknowledged the event: one fewer pending webhook, as Stripe counts. */
  delivered(eventId: string): void {
    const event = this.store.collections.events.get(eventId) as EventObject | undefined;
    if (event && event.pending_webhooks > 0) event.pending_webhooks--;
  }
}
