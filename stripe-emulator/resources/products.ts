import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { searchFields } from '../search.js';
import { StripeApiError } from '../errors.js';
import { newId } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import type { Params } from '../params.js';
import { emptyMetadata, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, retrieveRoute, searchRoute, send } from '../http/respond.js';
import { createPrice, readRecurring } from './prices.js';
import { applyUpdate } from './updates.js';

export interface Product extends StripeObject {
  object: 'product';
  active: boolean;
  name: string;
  description: string | null;
  default_price: string | null;
  metadata: Metadata;
  updated: number;
}

export interface ProductInput {
  id?: string;
  name: string;
  description?: string | null;
  active?: boolean;
  metadata?: Metadata;
  images?: string[];
  unit_label?: string | null;
  url?: string | null;
  statement_descriptor?: string | null;
}

export function createProduct(emu: Emulator, input: ProductInput): Product {
  const now = emu.clock.now();
  const product: Product = {
    id: input.id ?? newId('prod', 14),
    object: 'product',
    active: input.active ?? true,
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: input.images ?? [],
    livemode: false,
    marketing_features: [],
    metadata: input.metadata ?? emptyMetadata(),
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: input.statement_descriptor ?? null,
    tax_code: null,
    unit_label: input.unit_label ?? null,
    updated: now,
    url: input.url ?? null,
    type: 'service',
  };
  return emu.store.collections.products.add(product) as Product;
}

function readProductFields(params: Params, current?: Product): Partial<ProductInput> {
  const input: Partial<ProductInput> = {};
  const name = params.string('name', { required: !current, max: 250 });
  if (name !== undefined) input.name = name;
  const description = params.nullableString('description', { max: 40000 });
  if (description !== undefined) input.description = description;
  const active = params.boolean('active');
  if (active !== undefined) input.active = active;
  const metadata = params.metadata('metadata', current?.metadata);
  if (metadata !== undefined) input.metadata = metadata;
  const images = params.stringArray('images');
  if (images !== undefined) input.images = images;
  for (const key of ['unit_label', 'url', 'statement_descriptor'] as const) {
    const value = params.nullableString(key);
    if (value !== undefined) input[key] = value;
  }
  params.accept('tax_code', 'shippable', 'package_dimensions', 'marketing_features', 'tax_details');
  return input;
}

export function registerProducts(router: Router, emu: Emulator): void {
  const products = emu.store.collections.products;

  router.post('/v1/products', (req, res) => {
    const params = paramsOf(req);
    const id = params.string('id', { max: 250 });
    if (id !== undefined && products.has(id)) {
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_already_exists', param: 'id', message: 'Product already exists.' });
    }
    const input = readProductFields(params) as ProductInput;
    const priceData = params.object('default_price_data');
    let priceInput: Parameters<typeof createPrice>[1] | undefined;
    if (priceData) {
      const currency = priceData.string('currency', { required: true })!.toLowerCase();
      const unitAmount = priceData.integer('unit_amount', { required: true, min: 0 })!;
      const recurring = readRecurring(priceData);
      priceData.accept('tax_behavior', 'unit_amount_decimal', 'currency_options', 'custom_unit_amount');
      priceData.done();
      priceInput = { currency, unit_amount: unitAmount, recurring: recurring ?? null, product: '' };
    }
    params.done();
    const product = createProduct(emu, { ...input, ...(id !== undefined ? { id } : {}) });
    emu.events.emit('product.created', product, { request: eventRequest(res) });
    if (priceInput) {
      const price = createPrice(emu, { ...priceInput, product: product.id }, eventRequest(res));
      product.default_price = price.id;
    }
    send(emu, res, product, params);
  });

  router.get('/v1/products', (req, res) => {
    const params = paramsOf(req);
    const active = params.boolean('active');
    const ids = params.stringArray('ids');
    const created = createdFilter(params);
    params.accept('shippable', 'url');
    const all = products.newestFirst() as Product[];
    const items = all.filter(
      (p) => (active === undefined || p.active === active) && (ids === undefined || ids.includes(p.id)) && created(p),
    );
    const page = paginate(items, params, '/v1/products', 'product', all);
    params.done();
    send(emu, res, page, params);
  });

  searchRoute(router, emu, '/v1/products', () => products.newestFirst(), searchFields('active', 'description', 'metadata', 'name', 'shippable', 'url'));
  retrieveRoute(router, emu, '/v1/products', products);

  router.post('/v1/products/:id', (req, res) => {
    const params = paramsOf(req);
    const product = products.require(pathParam(req, 'id')) as Product;
    const input = readProductFields(params, product);
    const defaultPrice = params.string('default_price');
    if (defaultPrice !== undefined) emu.store.collections.prices.require(defaultPrice, 'default_price');
    params.done();
    product.updated = emu.clock.now();
    applyUpdate(emu, product, { ...input, ...(defaultPrice !== undefined ? { default_price: defaultPrice } : {}) }, 'product.updated', eventRequest(res));
    send(emu, res, product, params);
  });
}
