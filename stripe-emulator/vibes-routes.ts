import type { Router } from 'express';
import type { Emulator } from './context.js';
import type { CheckoutSession } from './resources/checkout-sessions.js';
import type { Subscription } from './resources/subscriptions.js';
import type { WebhookDeliverer } from './webhooks.js';

/** Counts of what the emulator holds; a cleanup check reads leftover test customers here. */
export interface EmulatorState {
  customers: { live: number; deleted: number };
  products: number;
  prices: number;
  checkout_sessions: { open: number; complete: number; expired: number };
  subscriptions: number;
  subscriptions_by_status: Record<string, number>;
  invoices: number;
  payment_intents: number;
  charges: number;
  payment_methods: number;
  events: number;
  webhook_endpoints: number;
  deliveries: { attempts: number; succeeded: number; failed: number; pending: number };
}

function emulatorState(emu: Emulator, deliverer: WebhookDeliverer): EmulatorState {
  const c = emu.store.collections;
  const sessions = c.checkoutSessions.newestFirst() as CheckoutSession[];
  const byStatus: Record<string, number> = {};
  for (const sub of c.subscriptions.newestFirst() as Subscription[]) byStatus[sub.status] = (byStatus[sub.status] ?? 0) + 1;
  const attempts = deliverer.deliveries();
  return {
    customers: { live: c.customers.size - emu.store.deletedCustomers.size, deleted: emu.store.deletedCustomers.size },
    products: c.products.size,
    prices: c.prices.size,
    checkout_sessions: {
      open: sessions.filter((s) => s.status === 'open').length,
      complete: sessions.filter((s) => s.status === 'complete').length,
      expired: sessions.filter((s) => s.status === 'expired').length,
    },
    subscriptions: c.subscriptions.size,
    subscriptions_by_status: byStatus,
    invoices: c.invoices.size,
    payment_intents: c.paymentIntents.size,
    charges: c.charges.size,
    payment_methods: c.paymentMethods.size,
    events: c.events.size,
    webhook_endpoints: c.webhookEndpoints.size,
    deliveries: {
      attempts: attempts.length,
      succeeded: attempts.filter((a) => a.succeeded).length,
      failed: attempts.filter((a) => !a.succeeded && a.finished_at !== null).length,
      pending: deliverer.pendingCount(),
    },
  };
}

/** `/_vibes/*`: test support that real Stripe does not have (no API key needed). */
export function registerVibesRoutes(router: Router, emu: Emulator, deliverer: WebhookDeliverer, reset: () => void): void {
  router.post('/reset', (_req, res) => {
    reset();
    res.json({ reset: true });
  });

  router.get('/state', (_req, res) => {
    res.json(emulatorState(emu, deliverer));
  });

  router.get('/deliveries', (req, res) => {
    // A mistyped filter would answer every delivery, and a test would match the wrong one.
    const unknown = Object.keys(req.query).filter((key) => key !== 'event_id' && key !== 'type');
    if (unknown.length > 0) {
      return void res.status(400).json({ error: { type: 'invalid_request_error', message: `Unknown filter ${unknown.map((k) => `"${k}"`).join(', ')}: /_vibes/deliveries takes event_id and type.` } });
    }
    const eventId = typeof req.query.event_id === 'string' ? req.query.event_id : undefined;
    const type = typeof req.query.type === 'string' ? req.query.type : undefined;
    const data = deliverer.deliveries().filter((a) => (eventId === undefined || a.event_id === eventId) && (type === undefined || a.event_type === type));
    res.json({ object: 'list', data });
  });
}
