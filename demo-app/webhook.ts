import type { Request, Response } from 'express';
import type Stripe from 'stripe';
import type pg from 'pg';
import type { BugSwitches } from './bugs.js';
import { processEvent } from './events.js';

export interface WebhookContext {
  pool: pg.Pool;
  stripe: Stripe;
  webhookSecret: string;
  bugs: BugSwitches;
}

class BadEventError extends Error {}

/**
 * `POST /api/stripe/webhook`. The body must be the raw bytes (`express.raw`): the signature covers
 * them exactly, and re-serialised JSON would not match. 400 for anything that is not a signed
 * Stripe event (Stripe does not retry those), 500 only when processing failed (Stripe retries).
 */
export function stripeWebhookHandler(ctx: WebhookContext) {
  return async (req: Request, res: Response): Promise<void> => {
    let event: Stripe.Event;
    try {
      event = readEvent(req, ctx);
    } catch (error) {
      res.status(400).type('text/plain').send((error as Error).message);
      return;
    }
    try {
      const outcome = await processEvent(ctx.pool, ctx.stripe, event, ctx.bugs);
      res.status(200).json({ received: true, outcome });
    } catch (error) {
      console.error(`demo-app: webhook ${event.id} (${event.type}) failed: ${(error as Error).message}`);
      res.status(500).type('text/plain').send('Webhook processing failed; Stripe will retry.');
    }
  };
}

function readEvent(req: Request, { stripe, webhookSecret, bugs }: WebhookContext): Stripe.Event {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new BadEventError('Empty body: expected a Stripe event as JSON.');
  let event: unknown;
  if (bugs.has('no-signature-check')) {
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      throw new BadEventError('Body is not JSON: expected a Stripe event.');
    }
  } else {
    const signature = req.get('stripe-signature');
    if (!signature) throw new BadEventError('Missing Stripe-Signature header: this endpoint only accepts events signed by Stripe.');
    try {
      event = stripe.webhooks.constructEvent(body, signature, webhookSecret);
    } catch (error) {
      throw new BadEventError(`Stripe signature verification failed: ${(error as Error).message}`);
    }
  }
  assertEventShape(event);
  return event;
}

function assertEventShape(value: unknown): asserts value is Stripe.Event {
  const event = value as Partial<Stripe.Event> | null;
  const ok =
    typeof event === 'object' && event !== null &&
    typeof event.id === 'string' && event.id !== '' &&
    typeof event.type === 'string' &&
    typeof event.created === 'number' && Number.isInteger(event.created) &&
    typeof event.data?.object === 'object' && event.data.object !== null;
  if (!ok) throw new BadEventError('Not a Stripe event: expected an object with id, type, created (integer) and data.object.');
}
