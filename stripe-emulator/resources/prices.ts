import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { searchFields } from '../search.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import type { Params } from '../params.js';
import { emptyMetadata, type EventRequest, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, retrieveRoute, searchRoute, send } from '../http/respond.js';
import { createProduct } from './products.js';
import { applyUpdate } from './updates.js';

export type Interval = 'day' | 'week' | 'month' | 'year';

export interface Recurring {
  interval: Interval;
  interval_count: number;
  meter: null;
  usage_type: 'licensed';
  trial_period_days: number | null;
}

export interface Price extends StripeObject {
  object: 'price';
  active: boolean;
  currency: string;
  product: string;
  recurring: Recurring | null;
  type: 'one_time' | 'recurring';
  unit_amount: number;
  nickname: string | null;
  lookup_key: string | null;
  metadata: Metadata;
  created: number;
}

export interface PriceInput {
  currency: string;
  unit_amount: number;
  product: string;
  recurring: { interval: Interval; interval_count: number } | null;
  nickname?: string | null;
  lookup_key?: string | null;
  metadata?: Metadata;
  active?: boolean;
}

export function createPrice(emu: Emulator, input: PriceInput, request?: EventRequest): Price {
  const price: Price = {
    id: newId('price', 24),
    object: 'price',
    active: input.active ?? true,
    billing_scheme: 'per_unit',
    created: emu.clock.now(),
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookup_key ?? null,
    metadata: input.metadata ?? emptyMetadata(),
    nickname: input.nickname ?? null,
    product: input.product,
    recurring: input.recurring ? { ...input.recurring, meter: null, usage_type: 'licensed', trial_period_days: null } : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? 'recurring' : 'one_time',
    unit_amount: input.unit_amount,
    unit_amount_decimal: String(input.unit_amount),
  };
  emu.store.collections.prices.add(price);
  emu.events.emit('price.created', price, request ? { request } : {});
  return price;
}

/** The plan object Stripe still nests in subscription items, derived from the price. */
export function planOf(price: Price): StripeObject {
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: String(price.unit_amount),
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: price.recurring?.interval ?? 'month',
    interval_count: price.recurring?.interval_count ?? 1,
    livemode: false,
    metadata: price.metadata,
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

function readCurrency(params: Params, key = 'currency'): string {
  const currency = params.string(key, { required: true })!.toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw errors.invalidValue(params.name(key), `Invalid currency: ${currency}. Use a three-letter ISO code such as usd.`);
  return currency;
}

export function readRecurring(params: Params): { interval: Interval; interval_count: number } | undefined {
  const recurring = params.object('recurring');
  if (!recurring) return undefined;
  const interval = recurring.enumeration('interval', ['day', 'week', 'month', 'year'] as const, { required: true })!;
  const intervalCount = recurring.integer('interval_count', { min: 1, max: interval === 'year' ? 3 : interval === 'month' ? 36 : interval === 'week' ? 156 : 1095 }) ?? 1;
  recurring.accept('usage_type', 'meter', 'aggregate_usage', 'trial_period_days');
  recurring.done();
  return { interval, interval_count: intervalCount };
}

/**
 * Reads a price definition (`POST /v1/prices` or Checkout's `line_items[][price_data]`):
 * exactly one of `product` and `product_data`, the latter creating the product.
 */
export function readPriceDefinition(emu: Emulator, params: Params): Omit<PriceInput, 'product'> & { product?: string; productName?: string; productMetadata?: Metadata } {
  const currency = readCurrency(params);
  const unitAmount = params.integer('unit_amount', { required: true, min: 0, max: 99_999_999 })!;
  const recurring = readRecurring(params);
  const product = params.string('product');
  const productData = params.object('product_data');
  if (product !== undefined && productData) throw errors.exclusive(['product', 'product_data']);
  if (product === undefined && !productData) throw errors.parameterMissing(params.name('product'));
  let productName: string | undefined;
  let productMetadata: Metadata | undefined;
  if (product !== undefined) emu.store.collections.products.require(product, params.name('product'));
  if (productData) {
    productName = productData.string('name', { required: true, max: 250 });
    productMetadata = productData.metadata();
    productData.accept('description', 'images', 'statement_descriptor', 'tax_code', 'unit_label', 'active', 'id');
    productData.done();
  }
  params.accept('tax_behavior', 'unit_amount_decimal', 'currency_options', 'billing_scheme', 'transform_quantity', 'tiers', 'tiers_mode', 'custom_unit_amount');
  return { currency, unit_amount: unitAmount, recurring: recurring ?? null, ...(product !== undefined ? { product } : {}), ...(productName !== undefined ? { productName } : {}), ...(productMetadata ? { productMetadata } : {}) };
}

/** Creates the product of `product_data` when needed, then the price. */
export function createPriceFromDefinition(emu: Emulator, definition: ReturnType<typeof readPriceDefinition>, extra: Partial<PriceInput>, request?: EventRequest): Price {
  let product = definition.product;
  if (product === undefined) {
    const created = createProduct(emu, { name: definition.productName ?? 'Product', ...(definition.productMetadata ? { metadata: definition.productMetadata } : {}) });
    emu.events.emit('product.created', created, request ? { request } : {});
    product = created.id;
  }
  return createPrice(emu, { currency: definition.currency, unit_amount: definition.unit_amount, recurring: definition.recurring, product, ...extra }, request);
}

export function registerPrices(router: Router, emu: Emulator): void {
  const prices = emu.store.collections.prices;

  /**
   * The other price that holds `lookupKey`: with `transfer_lookup_key` it gives the key up, as on
   * Stripe; without it the call is refused, since a lookup key names one price.
   */
  const lookupKeyHolder = (lookupKey: string | null | undefined, transfer: boolean | undefined): Price | undefined => {
    if (!lookupKey) return undefined;
    const holder = (prices.newestFirst() as Price[]).find((p) => p.lookup_key === lookupKey);
    if (holder && !transfer) {
      throw errors.invalidValue('lookup_key', `A price (\`${holder.id}\`) already uses that lookup key. Pass transfer_lookup_key=true to move it to this price.`);
    }
    return holder;
  };

  router.post('/v1/prices', (req, res) => {
    const params = paramsOf(req);
    const definition = readPriceDefinition(emu, params);
    const nickname = params.nullableString('nickname');
    const lookupKey = params.nullableString('lookup_key', { max: 200 });
    const metadata = params.metadata();
    const active = params.boolean('active');
    const transfer = params.boolean('transfer_lookup_key');
    params.done();
    const holder = lookupKeyHolder(lookupKey, transfer);
    const price = createPriceFromDefinition(
      emu,
      definition,
      { ...(nickname !== undefined ? { nickname } : {}), ...(lookupKey !== undefined ? { lookup_key: lookupKey } : {}), ...(metadata ? { metadata } : {}), ...(active !== undefined ? { active } : {}) },
      eventRequest(res),
    );
    if (holder) applyUpdate(emu, holder, { lookup_key: null }, 'price.updated', eventRequest(res));
    send(emu, res, price, params);
  });

  router.get('/v1/prices', (req, res) => {
    const params = paramsOf(req);
    const product = params.string('product');
    const active = params.boolean('active');
    const type = params.enumeration('type', ['one_time', 'recurring'] as const);
    const currency = params.string('currency');
    const lookupKeys = params.stringArray('lookup_keys');
    const created = createdFilter(params);
    params.accept('recurring');
    const all = prices.newestFirst() as Price[];
    const items = all.filter(
      (p) =>
        (product === undefined || p.product === product) &&
        (active === undefined || p.active === active) &&
        (type === undefined || p.type === type) &&
        (currency === undefined || p.currency === currency.toLowerCase()) &&
        (lookupKeys === undefined || (p.lookup_key !== null && lookupKeys.includes(p.lookup_key))) &&
        created(p),
    );
    const page = paginate(items, params, '/v1/prices', 'price', all);
    params.done();
    send(emu, res, page, params);
  });

  searchRoute(router, emu, '/v1/prices', () => prices.newestFirst(), searchFields('active', 'currency', 'lookup_key', 'metadata', 'product', 'type'));
  retrieveRoute(router, emu, '/v1/prices', prices);

  router.post('/v1/prices/:id', (req, res) => {
    const params = paramsOf(req);
    const price = prices.require(pathParam(req, 'id')) as Price;
    const changes: Record<string, unknown> = {};
    const active = params.boolean('active');
    if (active !== undefined) changes.active = active;
    const nickname = params.nullableString('nickname');
    if (nickname !== undefined) changes.nickname = nickname;
    const lookupKey = params.nullableString('lookup_key', { max: 200 });
    if (lookupKey !== undefined) changes.lookup_key = lookupKey;
    const metadata = params.metadata('metadata', price.metadata);
    if (metadata !== undefined) changes.metadata = metadata;
    const transfer = params.boolean('transfer_lookup_key');
    params.accept('tax_behavior', 'currency_options');
    params.done();
    const holder = lookupKey === price.lookup_key ? undefined : lookupKeyHolder(lookupKey, transfer);
    if (holder) applyUpdate(emu, holder, { lookup_key: null }, 'price.updated', eventRequest(res));
    applyUpdate(emu, price, changes, 'price.updated', eventRequest(res));
    send(emu, res, price, params);
  });
}
