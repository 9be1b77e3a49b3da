import type { Router } from 'express';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { randomBase62, newId } from '../ids.js';
import { createdFilter, paginate } from '../list.js';
import type { Params } from '../params.js';
import { searchFields } from '../search.js';
import { nowOn } from '../time.js';
import { emptyMetadata, type EventRequest, type Metadata, type StripeObject } from '../types.js';
import { eventRequest, paramsOf, pathParam, searchRoute, send } from '../http/respond.js';
import type { PaymentMethod } from './payment-methods.js';
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
  test_clock: string | null;
}

export interface CustomerInput {
  email?: string | null;
  name?: string | null;
  phone?: string | null;
  description?: string | null;
  address?: Address | null;
  metadata?: Metadata;
  defaultPaymentMethod?: string | null;
  /** On create only: the test clock the customer (and all it owns) lives on. */
  testClock?: string;
}

function buildCustomer(emu: Emulator, input: CustomerInput): Customer {
  return {
    id: newId('cus', 14),
    object: 'customer',
    address: input.address ?? null,
    balance: 0,
    created: nowOn(emu, input.testClock),
    currency: null,
    default_source: null,
    delinquent: false,
    description: input.description ?? null,
    discount: null,
    email: input.email ?? null,
    invoice_prefix: randomBase62(8).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: input.defaultPaymentMethod ?? null, footer: null, rendering_options: null },
    livemode: false,
    metadata: input.metadata ?? emptyMetadata(),
    name: input.name ?? null,
    next_invoice_sequence: 1,
    phone: input.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: input.testClock ?? null,
  };
}

/** Creates and stores a customer and emits `customer.created`, as the API and Checkout both do. */
export function createCustomer(emu: Emulator, input: CustomerInput, request?: EventRequest): Customer {
  const customer = emu.store.collections.customers.add(buildCustomer(emu, input)) as Customer;
  emu.events.emit('customer.created', customer, request ? { request } : {});
  return customer;
}

/** Deletes a customer: Stripe cancels its subscriptions at once when the customer goes. */
export function deleteCustomer(emu: Emulator, customer: Customer, request?: EventRequest): void {
  for (const sub of emu.store.collections.subscriptions.newestFirst() as Subscription[]) {
    if (sub.customer === customer.id && sub.status !== 'canceled' && sub.status !== 'incomplete_expired') {
      cancelSubscription(emu, sub, request);
    }
  }
  emu.store.deletedCustomers.add(customer.id);
  emu.events.emit('customer.deleted', customer, request ? { request } : {});
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

/**
 * `invoice_settings[default_payment_method]`: a payment method attached to the customer (or the one
 * this create attaches with `payment_method`), or '' to clear it, as Stripe checks it.
 */
function readDefaultPaymentMethod(emu: Emulator, params: Params, customer: string | undefined, attaching: string | undefined): string | null | undefined {
  const settings = params.object('invoice_settings');
  if (!settings) return undefined;
  const id = settings.nullableString('default_payment_method');
  settings.accept('custom_fields', 'footer', 'rendering_options');
  settings.done();
  if (!id) return id;
  const param = settings.name('default_payment_method');
  const method = emu.store.collections.paymentMethods.require(id, param) as PaymentMethod;
  if (id !== attaching && (customer === undefined || method.customer !== customer)) {
    throw errors.invalidValue(param, `The customer does not have a payment method with the ID ${id}. The payment method must be attached to the customer.`);
  }
  return id;
}

function readCustomerFields(emu: Emulator, params: Params, current?: Customer): CustomerInput & { attach?: PaymentMethod } {
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
  // On create only: the payment method to attach to the new customer.
  const attachId = current ? undefined : params.string('payment_method');
  const attach = attachId === undefined ? undefined : (emu.store.collections.paymentMethods.require(attachId, 'payment_method') as PaymentMethod);
  if (attach?.customer) throw errors.invalidValue('payment_method', `The payment method ${attach.id} is already attached to a customer.`);
  const defaultPaymentMethod = readDefaultPaymentMethod(emu, params, current?.id, attachId);
  if (defaultPaymentMethod !== undefined) input.defaultPaymentMethod = defaultPaymentMethod;
  // On create only, as on Stripe: a customer cannot move to a test clock later.
  const testClock = current ? undefined : params.string('test_clock');
  if (testClock !== undefined) input.testClock = emu.store.collections.testClocks.require(testClock, 'test_clock').id;
  // Accepted so real integrations run unchanged; the emulator keeps no payment sources or tax data.
  params.accept('payment_method', 'preferred_locales', 'shipping', 'tax_exempt', 'tax_id_data', 'source', 'balance', 'coupon', 'promotion_code', 'invoice_prefix', 'next_invoice_sequence', 'tax', 'cash_balance', 'validate');
  return { ...input, ...(attach ? { attach } : {}) };
}

const SEARCH_FIELDS = searchFields('email', 'name', 'phone', 'created', 'metadata');

export function registerCustomers(router: Router, emu: Emulator): void {
  const customers = emu.store.collections.customers;
  const isLive = (c: Customer) => !emu.store.deletedCustomers.has(c.id);
  const live = (): Customer[] => (customers.newestFirst() as Customer[]).filter(isLive);

  router.post('/v1/customers', (req, res) => {
    const params = paramsOf(req);
    const { attach, ...input } = readCustomerFields(emu, params);
    params.done();
    const request = eventRequest(res);
    const customer = createCustomer(emu, input, request);
    if (attach) {
      attach.customer = customer.id;
      emu.events.emit('payment_method.attached', attach, { request });
    }
    send(emu, res, customer, params);
  });

  searchRoute(router, emu, '/v1/customers', live, SEARCH_FIELDS);

  router.get('/v1/customers', (req, res) => {
    const params = paramsOf(req);
    const email = params.string('email');
    const created = createdFilter(params);
    // Stripe lists a test clock's customers only when asked for that clock.
    const testClock = params.string('test_clock') ?? null;
    const all = customers.newestFirst() as Customer[];
    const items = all.filter((c) => isLive(c) && c.test_clock === testClock && (email === undefined || c.email === email) && created(c));
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
    const { defaultPaymentMethod, ...input } = readCustomerFields(emu, params, customer);
    params.done();
    const changes: Partial<Customer> = { ...input };
    if (defaultPaymentMethod !== undefined) changes.invoice_settings = { ...customer.invoice_settings, default_payment_method: defaultPaymentMethod };
    applyUpdate(emu, customer, changes, 'customer.updated', eventRequest(res));
    send(emu, res, customer, params);
  });

  router.delete('/v1/customers/:id', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const customer = requireLiveCustomer(emu, pathParam(req, 'id'));
    deleteCustomer(emu, customer, eventRequest(res));
    send(emu, res, { id: customer.id, object: 'customer', deleted: true }, params);
  });
}
