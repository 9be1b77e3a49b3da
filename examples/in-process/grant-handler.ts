import Stripe from 'stripe';

/**
 * A webhook handler written so it can be called in process: the HTTP framework passes it the raw
 * body and headers, and everything it does to the outside world goes through `GrantStore`. That
 * is what lets `fuzzHandler` run it thousands of times a second and interleave its awaits.
 */
export interface GrantStore {
  /** True when the event id is already recorded. */
  seen(eventId: string): Promise<boolean>;
  remember(eventId: string): Promise<void>;
  /** Records the event id unless it is there; true when this call recorded it (INSERT … ON CONFLICT DO NOTHING). */
  claim(eventId: string): Promise<boolean>;
  grantPro(email: string): Promise<void>;
}

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

export type Dedupe = 'claim-first' | 'check-then-insert';

/**
 * Grants Pro for `checkout.session.completed`. `claim-first` records the event id before doing
 * anything, atomically, so only one delivery can get past it. `check-then-insert` asks first and
 * records after: correct one delivery at a time, wrong when two copies interleave.
 */
export function grantHandler(secret: string, dedupe: Dedupe) {
  return async ({ body, headers }: WebhookRequest, store: GrantStore): Promise<number> => {
    // Throws on a missing, stale or wrongly signed header: the caller answers 400.
    const event = Stripe.webhooks.constructEvent(body, headers['stripe-signature'] ?? '', secret);
    if (event.type !== 'checkout.session.completed') return 200;
    const session = event.data.object as Stripe.Checkout.Session;
    const email = session.customer_details?.email ?? session.customer_email;
    if (!email) return 200;
    if (dedupe === 'claim-first') {
      if (!(await store.claim(event.id))) return 200;
    } else {
      if (await store.seen(event.id)) return 200;
    }
    await store.grantPro(email);
    if (dedupe === 'check-then-insert') await store.remember(event.id);
    return 200;
  };
}

/** An in-memory store: what a test gives the handler instead of the database. */
export function memoryStore() {
  const processed = new Set<string>();
  const grants = new Map<string, number>();
  const store: GrantStore = {
    seen: async (id) => processed.has(id),
    remember: async (id) => void processed.add(id),
    claim: async (id) => {
      if (processed.has(id)) return false;
      processed.add(id);
      return true;
    },
    grantPro: async (email) => void grants.set(email, (grants.get(email) ?? 0) + 1),
  };
  return { store, grantsOf: (email: string) => grants.get(email) ?? 0 };
}
