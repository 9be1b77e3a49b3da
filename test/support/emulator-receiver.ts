import { createServer, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { listen, type Listening } from '../../core/index.js';

export interface ReceivedDelivery {
  /** The verified event, or null when verification failed. */
  event: Stripe.Event | null;
  verifyError: string | null;
  headers: IncomingMessage['headers'];
  rawBody: string;
  answeredWith: number;
}

export interface WebhookReceiver {
  url: string;
  secret: string;
  deliveries: ReceivedDelivery[];
  /** Verified events of one type, in arrival order. */
  events(type?: string): Stripe.Event[];
  /** Resolves once `predicate` holds for the deliveries so far (bounded by `timeoutMs`). */
  waitFor(predicate: (deliveries: ReceivedDelivery[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /** Answer 500 to the first N deliveries of each event id, then 200. */
  failFirst?: number;
  /** Answer nothing for this long on the first delivery of each event id (a hung endpoint). */
  hangFirstMs?: number;
}

/**
 * An app's webhook endpoint as the Stripe docs write it: raw body, `stripe.webhooks.constructEvent`
 * with the endpoint secret; a bad signature is a 400. It can fail on purpose to provoke retries.
 */
export async function startWebhookReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(24).toString('hex')}`;
  const stripe = new Stripe('sk_test_receiver');
  const deliveries: ReceivedDelivery[] = [];
  const seen = new Map<string, number>();
  const waiters = new Set<() => void>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let event: Stripe.Event | null = null;
      let verifyError: string | null = null;
      try {
        event = stripe.webhooks.constructEvent(rawBody, String(req.headers['stripe-signature'] ?? ''), secret);
      } catch (error) {
        verifyError = (error as Error).message;
      }
      const count = event ? (seen.get(event.id) ?? 0) + 1 : 0;
      if (event) seen.set(event.id, count);
      const answer = (status: number) => {
        deliveries.push({ event, verifyError, headers: req.headers, rawBody, answeredWith: status });
        for (const wake of waiters) wake();
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ received: status === 200 }));
      };
      if (!event) return answer(400);
      if (options.hangFirstMs && count === 1) {
        setTimeout(() => answer(200), options.hangFirstMs).unref();
        return;
      }
      answer(options.failFirst && count <= options.failFirst ? 500 : 200);
    });
  });
  const listening: Listening = await listen(server);
  return {
    url: `${listening.url}/webhooks/stripe`,
    secret,
    deliveries,
    events: (type) => deliveries.filter((d) => d.event && (!type || d.event.type === type) && d.answeredWith === 200).map((d) => d.event!),
    waitFor(predicate, timeoutMs = 15_000) {
      if (predicate(deliveries)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook receiver: condition not met within ${timeoutMs} ms; got ${deliveries.map((d) => `${d.event?.type ?? 'unverified'}→${d.answeredWith}`).join(', ')}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(deliveries)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => listening.close(),
  };
}
