import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { randomBase62, newId } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import type { Params } from '../params.js';
import { searchFields } from '../search.js';
import { emptyMetadata, type EventRequest, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, searchRoute, send } from '../http/respond.js';
import { cancelSubscription, type Subscription } from './subscriptions.js';
import { applyUpdate } from './updates.js';

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface Customer extends StripeObject {
  object: 'customer';
  created: number;
  email: string | null;
  name: string | null;
  phone: string | null;
  description: string | null;
  address: Address | null;
  metadata: Metadata;
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null; rendering_options: null };
}

export interface CustomerInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  address?: Address | null;
  metadata?: Metadata;
}

function buildCustomer(emu: Emulator, input: CustomerInput): Customer {
  return {
    id: newId('cus', 14),
    object: 'customer',
    address: input.address ?? null,
    balance: 0,
    created: emu.clock.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description ?? null,
    discount: null,
    email: input.email ?? null,
    invoice_prefix: randomBase62(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? emptyMetadata(),
    name: input.name ?? null,
    next_invoice_sequence: 1,
    phone: input.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

/** Creates and stores a customer and emits `customer.created`, as the API and Checkout both do. */
export function createCustomer(emu: Emulator, input: CustomerInput, request?: EventRequest): Customer {
  const customer = emu.store.collections.customers.add(buildCustomer(emu, input)) as Customer;
  emu.events.emit('customer.created', customer, request ? { request } : {});
  return customer;
}

/** A live customer; a deleted one is `resource_missing` for everything but retrieve. */
export function requireLiveCustomer(emu: Emulator, id: string, param = 'id'): Customer {
  if (emu.store.deletedCustomers.has(id)) throw errors.resourceMissing('customer', id, param);
  return emu.store.collections.customers.require(id, param) as Customer;
}

function readAddress(params: Params, key: string): Address | null | undefined {
  if (!params.has(key)) return undefined;
  const raw = params.object(key);
  if (!raw) return null;
  const address: Address = {
    city: raw.nullableString('city') ?? null,
    country: raw.nullableString('country') ?? null,
    line1: raw.nullableString('line1') ?? null,
    line2: raw.nullableString('line2') ?? null,
    postal_code: raw.nullableString('postal_code') ?? null,
    state: raw.nullableString('state') ?? null,
  };
  raw.done();
  return address;
}

function readCustomerFields(params: Params, current?: Customer): CustomerInput {
  const input: CustomerInput = {};
  const email = params.email('email');
  if (email !== undefined) input.email = email;
  for (const key of ['name', 'phone', 'description'] as const) {
    const value = params.nullableString(key, { max: key === 'description' ? 350 : 256 });
    if (value !== undefined) input[key] = value;
  }
  const address = readAddress(params, 'address');
  if (address !== undefined) input.address = address;
  const metadata = params.metadata('metadata', current?.metadata);
  if (metadata !== undefined) input.metadata = metadata;
  // Accepted so real integrations run unchanged; the emulator keeps no payment sources or tax data.
  params.accept('payment_method', 'invoice_settings', 'preferred_locales', 'shipping', 'tax_exempt', 'tax_id_data', 'test_clock', 'source', 'balance', 'coupon', 'promotion_code', 'invoice_prefix', 'next_invoice_sequence', 'tax', 'cash_balance', 'validate');
  return input;
}

const SEARCH_FIELDS = searchFields('email', 'name', 'phone', 'created', 'metadata');

export function registerCustomers(router: Router, emu: Emulator): void {
  const customers = emu.store.collections.customers;
  const isLive = (c: Customer) => !emu.store.deletedCustomers.has(c.id);
  const live = (): Customer[] => (customers.newestFirst() as Customer[]).filter(isLive);

  router.post('/v1/customers', (req, res) => {
    const params = paramsOf(req);
    const input = readCustomerFields(params);
    params.done();
    send(emu, res, createCustomer(emu, input, eventRequest(res)), params);
  });

  searchRoute(router, emu, '/v1/customers', live, SEARCH_FIELDS);

  router.get('/v1/customers', (req, res) => {
    const params = paramsOf(req);
    const email = params.string('email');
    const created = createdFilter(params);
    params.accept('test_clock');
    const all = customers.newestFirst() as Customer[];
    const items = all.filter((c) => isLive(c) && (email === undefined || c.email === email) && created(c));
    const page = paginate(items, params, '/v1/customers', 'customer', all);
    params.done();
    send(emu, res, page, params);
  });

  router.get('/v1/customers/:id', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const id = pathParam(req, 'id');
    if (emu.store.deletedCustomers.has(id)) {
      send(emu, res, { id, object: 'customer', deleted: true }, params);
      return;
    }
    send(emu, res, customers.require(id), params);
  });

  router.post('/v1/customers/:id', (req, res) => {
    const params = paramsOf(req);
    const customer = requireLiveCustomer(emu, pathParam(req, 'id'));
    const input = readCustomerFields(params, customer);
    params.done();
    applyUpdate(emu, customer, { ...input }, 'customer.updated', eventRequest(res));
    send(emu, res, customer, params);
  });

  router.delete('/v1/customers/:id', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const customer = requireLiveCustomer(emu, pathParam(req, 'id'));
    const request = eventRequest(res);
    // Stripe cancels the customer's subscriptions immediately when the customer goes.
    for (const sub of emu.store.collections.subscriptions.newestFirst() as Subscription[]) {
      if (sub.customer === customer.id && sub.status !== 'canceled' && sub.status !== 'incomplete_expired') {
        cancelSubscription(emu, sub, request);
      }
    }
    emu.store.deletedCustomers.add(customer.id);
    emu.events.emit('customer.deleted', customer, { request });
    send(emu, res, { id: customer.id, object: 'customer', deleted: true }, params);
  });
}
