import type { IncomingHttpHeaders } from 'node:http';
import http from 'node:http';
import express from 'express';
import Stripe from 'stripe';
import { listen } from '../../core/index.js';

export interface ReceivedWebhook {
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** null when `stripe.webhooks.constructEvent` accepted it, else its error message. */
  refusal: string | null;
  /** How many requests were in flight (this one included) when it arrived. */
  inFlightOnArrival: number;
}

export interface ReceiverOptions {
  /** The secret the app verifies with. */
  secret: string;
  /** Never answer (a hung app). */
  hang?: boolean;
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  accepted(): ReceivedWebhook[];
  refused(): ReceivedWebhook[];
  /** The most requests ever in flight at once. */
  maxInFlight(): number;
  /**
   * From now on, hold each request until `count` are in flight at once (or `maxMs` passed, so
   * a test cannot hang): a burst whose copies really overlap is released all together.
   */
  hold(count: number, maxMs?: number): void;
  close(): Promise<void>;
}

/**
 * A webhook endpoint written the way Stripe's docs write one: express.raw, then
 * `stripe.webhooks.constructEvent` on the raw body; 400 with the error when it throws.
 */
export async function startReceiver({ secret, hang = false }: ReceiverOptions): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let holding: { count: number; maxMs: number } | undefined;
  const waiting: Array<() => void> = [];

  const app = express();
  app.post('/webhook', express.raw({ type: () => true }), async (req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const body = req.body as Buffer;
    let refusal: string | null = null;
    try {
      Stripe.webhooks.constructEvent(body, req.headers['stripe-signature'] ?? '', secret);
    } catch (error) {
      refusal = (error as Error).message;
    }
    received.push({ body, headers: req.headers, refusal, inFlightOnArrival: inFlight });
    if (hang) return;
    if (holding) await heldUntil(holding.count, holding.maxMs);
    inFlight--;
    if (refusal) res.status(400).send(`Webhook Error: ${refusal}`);
    else res.json({ received: true });
  });

  function heldUntil(count: number, maxMs: number): Promise<void> {
    if (inFlight >= count) {
      waiting.splice(0).forEach((release) => release());
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxMs);
      waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  const listening = await listen(http.createServer(app));
  return {
    url: `${listening.url}/webhook`,
    received,
    accepted: () => received.filter((r) => r.refusal === null),
    refused: () => received.filter((r) => r.refusal !== null),
    maxInFlight: () => maxInFlight,
    hold: (count, maxMs = 5_000) => {
      holding = { count, maxMs };
      maxInFlight = 0;
    },
    close: listening.close,
  };
}
