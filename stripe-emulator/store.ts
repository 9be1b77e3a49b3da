import type { TestCard } from './cards.js';
import { errors } from './errors.js';
import type { CardDetails } from './resources/payment-methods.js';
import type { Trial } from './resources/subscriptions.js';
import type { StripeObject } from './types.js';

/** What a checkout session remembers between page submits (objects made so far, a pending 3DS step). */
export interface CheckoutFlow {
  lines: { id: string; priceId: string; quantity: number }[];
  subscriptionData: { metadata: Record<string, string>; description: string | null; trial: Trial | null };
  paymentIntentData: { metadata: Record<string, string>; description: string | null };
  customerCreation: 'always' | 'if_required' | null;
  customerId?: string;
  subscriptionId?: string;
  invoiceId?: string;
  paymentIntentId?: string;
  pendingAuthentication?: { attemptId: string; paymentMethodId: string; details: CardDetails };
  /** What the next page view shows once: the values typed and the errors of the last submit. */
  flash?: { values: Record<string, string>; fieldErrors: Record<string, string>; alert: string | null };
}

/** One resource's objects in creation order; lists read it newest first, as Stripe lists do. */
export class Collection<T extends StripeObject> {
  private readonly items = new Map<string, T>();

  constructor(readonly resource: string) {}

  add(item: T): T {
    this.items.set(item.id, item);
    return item;
  }

  get(id: string): T | undefined {
    return this.items.get(id);
  }

  /** The object, or Stripe's `resource_missing` naming the parameter that held the id (404 for the URL's). */
  require(id: string, param = 'id'): T {
    const item = this.items.get(id);
    if (!item) throw errors.resourceMissing(this.resource, id, param);
    return item;
  }

  has(id: string): boolean {
    return this.items.has(id);
  }

  delete(id: string): void {
    this.items.delete(id);
  }

  newestFirst(): T[] {
    return [...this.items.values()].reverse();
  }

  get size(): number {
    return this.items.size;
  }

  clear(): void {
    this.items.clear();
  }
}

/** Which collection an id belongs to, for `expand[]` and for `/_vibes/state`. */
const PREFIXES: [prefix: string, collection: keyof Store['collections']][] = [
  ['cus_', 'customers'],
  ['prod_', 'products'],
  ['price_', 'prices'],
  ['cs_', 'checkoutSessions'],
  ['sub_', 'subscriptions'],
  ['in_', 'invoices'],
  ['inpay_', 'invoicePayments'],
  ['pi_', 'paymentIntents'],
  ['ch_', 'charges'],
  ['pm_', 'paymentMethods'],
  ['evt_', 'events'],
  ['we_', 'webhookEndpoints'],
  ['bps_', 'portalSessions'],
  ['clock_', 'testClocks'],
];

/** The emulator's whole state, in memory; `clear()` is `POST /_vibes/reset`. */
export class Store {
  readonly collections = {
    customers: new Collection<StripeObject>('customer'),
    products: new Collection<StripeObject>('product'),
    prices: new Collection<StripeObject>('price'),
    checkoutSessions: new Collection<StripeObject>('checkout.session'),
    subscriptions: new Collection<StripeObject>('subscription'),
    invoices: new Collection<StripeObject>('invoice'),
    invoicePayments: new Collection<StripeObject>('invoice_payment'),
    paymentIntents: new Collection<StripeObject>('payment_intent'),
    charges: new Collection<StripeObject>('charge'),
    paymentMethods: new Collection<StripeObject>('payment_method'),
    events: new Collection<StripeObject>('event'),
    webhookEndpoints: new Collection<StripeObject>('webhook_endpoint'),
    portalSessions: new Collection<StripeObject>('billing_portal.session'),
    testClocks: new Collection<StripeObject>('test_helpers.test_clock'),
  };

  /** Customers answer `deleted: true` after deletion, so they stay known by id. */
  readonly deletedCustomers = new Set<string>();

  /** Signing secrets by webhook endpoint id: Stripe shows a secret only when the endpoint is created. */
  readonly webhookSecrets = new Map<string, string>();

  readonly checkoutFlows = new Map<string, CheckoutFlow>();

  /** The test card behind each payment method: Stripe knows the number, the object shows only its last4. */
  readonly paymentMethodCards = new Map<string, TestCard>();

  /** Any stored object by id (products may have custom ids, so they are tried last). */
  find(id: string): StripeObject | undefined {
    for (const [prefix, name] of PREFIXES) {
      if (id.startsWith(prefix)) return this.collections[name].get(id);
    }
    return this.collections.products.get(id);
  }

  clear(): void {
    for (const collection of Object.values(this.collections)) collection.clear();
    this.deletedCustomers.clear();
    this.webhookSecrets.clear();
    this.checkoutFlows.clear();
    this.paymentMethodCards.clear();
  }
}
