import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { test, expect } from '@playwright/test';
import express from 'express';
import Stripe from 'stripe';
import { listen } from '../core/index.js';
import { errorHandler } from '../stripe-emulator/http/app.js';
import { IdempotencyCache } from '../stripe-emulator/http/idempotency.js';
import { emulatorStripeConfig } from '../stripe-emulator/index.js';
import { monthlyPrice, oneTimePrice, startEmulatorHarness, submitCheckoutForm, type EmulatorHarness } from './support/emulator-harness.js';

let h: EmulatorHarness;
test.beforeEach(async () => {
  h = await startEmulatorHarness();
});
test.afterEach(async () => {
  await h.close();
});

const run = () => `run_${randomBytes(4).toString('hex')}`;

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

test.describe('stripe-emulator API through the real stripe client', () => {
  test('customers: create, retrieve, update, delete; a deleted customer answers deleted: true', async () => {
    const { stripe } = h;
    const before = Math.floor(Date.now() / 1000);
    const created = await stripe.customers.create({ email: 'jenny@example.com', name: 'Jenny', metadata: { vibes_run: 'r1', plan: 'free' } });
    const after = Math.ceil(Date.now() / 1000);
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
    expect(created.object).toBe('customer');
    expect(created.livemode).toBe(false);
    // Stamped in the call's own second(s), in whole seconds as Stripe stamps it.
    expect(created.created).toBeGreaterThanOrEqual(before);
    expect(created.created).toBeLessThanOrEqual(after);

    const fetched = await stripe.customers.retrieve(created.id);
    expect(fetched).toMatchObject({ id: created.id, email: 'jenny@example.com', name: 'Jenny', metadata: { vibes_run: 'r1', plan: 'free' } });

    const updated = await stripe.customers.update(created.id, { name: 'Jenny Rosen', metadata: { plan: 'pro', vibes_run: '' } });
    expect(updated.name).toBe('Jenny Rosen');
    expect(updated.metadata).toEqual({ plan: 'pro' });

    const deleted = await stripe.customers.del(created.id);
    expect(deleted).toEqual({ id: created.id, object: 'customer', deleted: true });
    const afterwards = await stripe.customers.retrieve(created.id);
    expect(afterwards.deleted).toBe(true);

    const again = await rejection(stripe.customers.del(created.id));
    expect(again).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(again.code).toBe('resource_missing');
    const update = await rejection(stripe.customers.update(created.id, { name: 'x' }));
    expect(update.statusCode).toBe(404);
  });

  test('customers.list pages with limit, starting_after and has_more; autoPagingToArray sees each customer once', async () => {
    const { stripe } = h;
    const ids: string[] = [];
    for (let i = 0; i < 23; i++) ids.push((await stripe.customers.create({ email: `u${i}@example.com` })).id);
    const first = await stripe.customers.list({ limit: 10 });
    expect(first.data.map((c) => c.id)).toEqual(ids.slice(-10).reverse());
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({ limit: 10, starting_after: first.data.at(-1)!.id });
    expect(second.data.map((c) => c.id)).toEqual(ids.slice(3, 13).reverse());
    const last = await stripe.customers.list({ limit: 10, starting_after: second.data.at(-1)!.id });
    expect(last.data).toHaveLength(3);
    expect(last.has_more).toBe(false);
    const back = await stripe.customers.list({ limit: 2, ending_before: second.data[0]!.id });
    expect(back.data.map((c) => c.id)).toEqual([ids[14], ids[13]]);

    const all = await stripe.customers.list({ limit: 4 }).autoPagingToArray({ limit: 1000 });
    expect(all.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(new Set(all.map((c) => c.id)).size).toBe(23);

    await stripe.customers.del(ids[0]!);
    expect((await stripe.customers.list({ limit: 100 })).data).toHaveLength(22);
    expect((await stripe.customers.list({ email: 'u5@example.com' })).data.map((c) => c.id)).toEqual([ids[5]]);
  });

  test('created filters: an exact timestamp or a range; a bad one is parameter_invalid_integer', async () => {
    const { stripe } = h;
    const customer = await stripe.customers.create({ email: 'when@example.com' });
    const exact = await stripe.customers.list({ created: customer.created });
    expect(exact.data.map((c) => c.id)).toEqual([customer.id]);
    expect((await stripe.customers.list({ created: customer.created - 1 })).data).toHaveLength(0);
    expect((await stripe.customers.list({ created: { gte: customer.created, lte: customer.created } })).data.map((c) => c.id)).toEqual([customer.id]);
    const bad = await rejection(stripe.customers.list({ created: 'soon' as unknown as number }));
    expect(bad).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'created' });
  });

  test('a cursor that no longer matches the filter still pages on from where it stood', async () => {
    const { stripe } = h;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await stripe.products.create({ name: `Plan ${i}` })).id);
    // The usual cleanup loop: auto-page through active products, archiving each one seen. Each
    // next page's cursor (the last product of the page) is archived by then.
    const seen: string[] = [];
    for await (const product of stripe.products.list({ active: true, limit: 2 })) {
      seen.push(product.id);
      await stripe.products.update(product.id, { active: false });
    }
    expect(seen).toEqual([...ids].reverse());

    await stripe.products.update(ids[0]!, { active: true });
    await stripe.products.update(ids[2]!, { active: true });
    const before = await stripe.products.list({ active: true, ending_before: ids[1]! });
    expect(before.data.map((p) => p.id)).toEqual([ids[2]]);
    const after = await stripe.products.list({ active: true, starting_after: ids[1]! });
    expect(after.data.map((p) => p.id)).toEqual([ids[0]]);

    // A customer deleted while a client pages through customers is still a valid cursor.
    const customers: string[] = [];
    for (let i = 0; i < 3; i++) customers.push((await stripe.customers.create({ email: `c${i}@example.com` })).id);
    const first = await stripe.customers.list({ limit: 1 });
    expect(first.data.map((c) => c.id)).toEqual([customers[2]]);
    await stripe.customers.del(customers[2]!);
    const next = await stripe.customers.list({ limit: 1, starting_after: customers[2]! });
    expect(next.data.map((c) => c.id)).toEqual([customers[1]]);
    expect(next.has_more).toBe(true);
  });

  test('list limits outside 1–100 and unknown cursors are Stripe errors', async () => {
    const { stripe } = h;
    for (const limit of [0, 101]) {
      const error = await rejection(stripe.customers.list({ limit }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('parameter_invalid_integer');
      expect(error.param).toBe('limit');
    }
    const cursor = await rejection(stripe.customers.list({ starting_after: 'cus_doesnotexist' }));
    expect(cursor.code).toBe('resource_missing');
    expect(cursor.param).toBe('starting_after');
  });

  test('customers.search: metadata and email queries, AND/OR, paging with next_page', async () => {
    const { stripe } = h;
    const mine = run();
    const a = await stripe.customers.create({ email: 'alice@example.com', metadata: { vibes_run: mine } });
    const b = await stripe.customers.create({ email: 'bob@example.com', metadata: { vibes_run: mine } });
    await stripe.customers.create({ email: 'carol@example.com', metadata: { vibes_run: 'someone-else' } });

    const byRun = await stripe.customers.search({ query: `metadata['vibes_run']:'${mine}'` });
    expect(byRun.object).toBe('search_result');
    expect(byRun.data.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());

    const byEmail = await stripe.customers.search({ query: "email:'bob@example.com'" });
    expect(byEmail.data.map((c) => c.id)).toEqual([b.id]);
    const both = await stripe.customers.search({ query: `email:'alice@example.com' OR email:'bob@example.com'` });
    expect(both.data).toHaveLength(2);
    const narrowed = await stripe.customers.search({ query: `metadata["vibes_run"]:"${mine}" AND email:'alice@example.com'` });
    expect(narrowed.data.map((c) => c.id)).toEqual([a.id]);
    // A space joins clauses with AND, as in Stripe's query language.
    const spaced = await stripe.customers.search({ query: `metadata["vibes_run"]:"${mine}" email:'alice@example.com'` });
    expect(spaced.data.map((c) => c.id)).toEqual([a.id]);

    const paged = await stripe.customers.search({ query: `metadata['vibes_run']:'${mine}'`, limit: 1 });
    expect(paged.has_more).toBe(true);
    expect(paged.next_page).toEqual(expect.any(String));
    const everyone = await stripe.customers.search({ query: `metadata['vibes_run']:'${mine}'`, limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(everyone.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());

    await stripe.customers.del(a.id);
    expect((await stripe.customers.search({ query: `metadata['vibes_run']:'${mine}'` })).data.map((c) => c.id)).toEqual([b.id]);

    const bad = await rejection(stripe.customers.search({ query: 'favourite_colour:blue' }));
    expect(bad).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(bad.param).toBe('query');
    // Names every object inherits are no search fields either.
    for (const query of ["__proto__:'x'", "constructor:'x'"]) {
      const inherited = await rejection(stripe.customers.search({ query }));
      expect(inherited, query).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(inherited, query).toMatchObject({ statusCode: 400, param: 'query' });
    }
  });

  test('Stripe-Version: a malformed one is refused as Stripe refuses it; an older one than the emulator speaks is answered and said once', async () => {
    const config = emulatorStripeConfig(h.emulator.url);
    const malformed = new Stripe('sk_test_version', { ...config, apiVersion: 'latest' as Stripe.LatestApiVersion });
    expect(await rejection(malformed.customers.list())).toMatchObject({ statusCode: 400, message: 'Invalid Stripe API version: latest' });

    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const pinned = new Stripe('sk_test_version', { ...config, apiVersion: '2024-06-20' as Stripe.LatestApiVersion });
      await pinned.customers.create({ email: 'pinned@example.com' });
      await pinned.customers.list();
    } finally {
      console.warn = warn;
    }
    // A beta flag, as stripe-node sends one, is a version too.
    const beta = new Stripe('sk_test_version', { ...config, apiVersion: '2026-10-28.endive; embedded_connect_beta=v2' as Stripe.LatestApiVersion });
    await beta.customers.list();
    expect(warnings).toEqual([expect.stringContaining("stripe-emulator: a client asks for API version 2024-06-20; the emulator answers in the shapes of")]);
    expect(warnings[0]).toContain('Pin a newer apiVersion in the app, or test it in Stripe test mode');
  });

  test('a client that sends no Stripe-Version (stripe-python, stripe-ruby) is told once what Stripe would answer it in; Python\'s True and False are booleans', async () => {
    const price = await oneTimePrice(h.stripe);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    const post = (body: string) =>
      fetch(`${h.emulator.url}/v1/checkout/sessions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_python', 'content-type': 'application/x-www-form-urlencoded' },
        body: `mode=payment&line_items[0][price]=${price.id}&line_items[0][quantity]=1&success_url=https://app.example/ok&${body}`,
      });
    try {
      // What stripe-python 5 sends for allow_promotion_codes=True: Stripe takes it, and so must the emulator.
      const python = await post('allow_promotion_codes=True');
      expect(python.status, await python.clone().text()).toBe(200);
      expect(python.headers.get('stripe-version')).toMatch(/^\d{4}-\d{2}-\d{2}\.[a-z]+$/);
      expect((await python.json()).allow_promotion_codes).toBe(true);
      expect((await (await post('allow_promotion_codes=False')).json()).allow_promotion_codes).toBe(false);
      const notBoolean = await post('allow_promotion_codes=yes');
      expect(notBoolean.status).toBe(400);
      expect((await notBoolean.json()).error).toMatchObject({ param: 'allow_promotion_codes', message: expect.stringContaining('Invalid boolean: "yes"') });
    } finally {
      console.warn = warn;
    }
    expect(warnings).toEqual([expect.stringContaining('stripe-emulator: a client sent no Stripe-Version header.')]);
    expect(warnings[0]).toContain("Stripe answers such a request in the account's default API version");
    expect(warnings[0]).toMatch(/stripe\.api_version = "\d{4}-\d{2}-\d{2}\.[a-z]+"/);
  });

  test('an embedded Checkout Session is refused as a gap of the emulator, not for the success_url it rightly lacks', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const embedded = await rejection(stripe.checkout.sessions.create({ mode: 'subscription', ui_mode: 'embedded', line_items: [{ price: monthly.id, quantity: 1 }], return_url: 'https://app.example/return' }));
    expect(embedded).toMatchObject({ statusCode: 400, param: 'ui_mode', message: 'The Stripe emulator serves hosted Checkout only (ui_mode=hosted): embedded Checkout and Elements need Stripe test mode.' });
  });

  test('a plan change (subscriptions.update with items) is refused as a gap of the emulator, not as an unknown parameter', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'upgrade@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const sub = await stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session.id)).subscription as string);
    const change = await rejection(stripe.subscriptions.update(sub.id, { items: [{ id: sub.items.data[0]!.id, price: monthly.id }], proration_behavior: 'create_prorations' }));
    expect(change).toMatchObject({ statusCode: 400, param: 'items', message: expect.stringContaining('The Stripe emulator does not implement `items` on this request (Stripe does): run this test in Stripe test mode') });
    expect(change.code).not.toBe('parameter_unknown');
    expect((await stripe.subscriptions.retrieve(sub.id)).items.data[0]!.price.id).toBe(monthly.id);
  });

  test("a customer's saved cards (customers.listPaymentMethods) after a Checkout, and the default one", async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'cards@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const customer = (await stripe.checkout.sessions.retrieve(session.id)).customer as string;
    const cards = await stripe.customers.listPaymentMethods(customer, { type: 'card' });
    expect(cards.data.map((pm) => [pm.customer, pm.card?.last4])).toEqual([[customer, '4242']]);
    expect((await stripe.customers.listPaymentMethods((await stripe.customers.create({ email: 'none@example.com' })).id)).data).toEqual([]);
    expect(await rejection(stripe.customers.listPaymentMethods('cus_missing'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });

    // The saved card as the customer's default, as a billing page sets it; '' clears it.
    const pm = cards.data[0]!.id;
    const withDefault = await stripe.customers.update(customer, { invoice_settings: { default_payment_method: pm } });
    expect(withDefault.invoice_settings.default_payment_method).toBe(pm);
    expect(((await stripe.customers.retrieve(customer)) as Stripe.Customer).invoice_settings.default_payment_method).toBe(pm);
    expect((await stripe.customers.update(customer, { invoice_settings: { default_payment_method: '' } })).invoice_settings.default_payment_method).toBeNull();
    // Only a payment method of the customer's: another's is refused, as Stripe refuses it, and nothing changes.
    const other = await stripe.customers.create({ email: 'other@example.com' });
    const refused = await rejection(stripe.customers.update(other.id, { invoice_settings: { default_payment_method: pm } }));
    expect(refused).toMatchObject({ statusCode: 400, param: 'invoice_settings[default_payment_method]', message: `The customer does not have a payment method with the ID ${pm}. The payment method must be attached to the customer.` });
    expect(await rejection(stripe.customers.update(other.id, { invoice_settings: { default_payment_method: 'pm_nope' } }))).toMatchObject({ statusCode: 400, code: 'resource_missing' });
    expect(((await stripe.customers.retrieve(other.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBeNull();
    // A card attached to someone is not attached again to a new customer.
    expect(await rejection(stripe.customers.create({ email: 'third@example.com', payment_method: pm }))).toMatchObject({ statusCode: 400, param: 'payment_method' });
  });

  test("an invoice's payments name the PaymentIntent that paid it: expand[]=payments and invoicePayments.list, open until paid", async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'payments@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4000000000000002' });
    const [declinedInvoice] = (await stripe.invoices.list({ limit: 1 })).data;
    const open = await stripe.invoicePayments.list({ invoice: declinedInvoice!.id });
    expect(open.data).toMatchObject([{ object: 'invoice_payment', invoice: declinedInvoice!.id, status: 'open', amount_paid: null, amount_requested: monthly.unit_amount, is_default: true }]);

    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const paidSession = await stripe.checkout.sessions.retrieve(session.id);
    const invoiceId = paidSession.invoice as string;
    expect(invoiceId).toBe(declinedInvoice!.id);
    // Left out unless expanded, as on Stripe; expanded, a list whose payments name their intent.
    expect('payments' in (await stripe.invoices.retrieve(invoiceId))).toBe(false);
    const invoice = await stripe.invoices.retrieve(invoiceId, { expand: ['payments.data.payment.payment_intent'] });
    const payment = invoice.payments!.data[0]!;
    expect(invoice.payments!.data).toHaveLength(1);
    expect(payment).toMatchObject({ status: 'paid', amount_paid: monthly.unit_amount, invoice: invoiceId });
    expect(payment.status_transitions.paid_at).toBe(invoice.status_transitions.paid_at);
    const intent = payment.payment.payment_intent as Stripe.PaymentIntent;
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', customer: paidSession.customer });
    // The same link from the other side: which invoice did this intent pay?
    const byIntent = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: intent.id } });
    expect(byIntent.data.map((p) => p.invoice)).toEqual([invoiceId]);
    expect(await stripe.invoicePayments.retrieve(payment.id)).toMatchObject({ id: payment.id, status: 'paid' });
    // Through the subscription, and in a list.
    const sub = await stripe.subscriptions.retrieve(paidSession.subscription as string, { expand: ['latest_invoice.payments'] });
    expect((sub.latest_invoice as Stripe.Invoice).payments!.data.map((p) => p.id)).toEqual([payment.id]);
    const listed = await stripe.invoices.list({ customer: paidSession.customer as string, expand: ['data.payments'] });
    expect(listed.data[0]!.payments!.data.map((p) => p.id)).toEqual([payment.id]);
    expect((await stripe.invoicePayments.list({ status: 'open' })).data).toEqual([]);
    expect(await rejection(stripe.invoicePayments.retrieve('inpay_missing'))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await rejection(stripe.invoicePayments.list({ payment: { type: 'payment_record' as 'payment_intent' } }))).toMatchObject({ statusCode: 400, param: 'payment[type]' });
  });

  test('test clocks: a customer on one renews each month as the clock passes, paid and invoiced; a cancellation at the period end ends it then', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe, 900);
    const jan31 = Date.UTC(2026, 0, 31) / 1000;
    const [feb28, mar28, apr28] = [Date.UTC(2026, 1, 28) / 1000, Date.UTC(2026, 2, 28) / 1000, Date.UTC(2026, 3, 28) / 1000];
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: jan31, name: 'renewals' });
    expect(clock).toMatchObject({ object: 'test_helpers.test_clock', frozen_time: jan31, status: 'ready', name: 'renewals' });
    const customer = await stripe.customers.create({ email: 'clocked@example.com', test_clock: clock.id });
    expect([customer.test_clock, customer.created]).toEqual([clock.id, jan31]);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer: customer.id });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const subId = (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
    const periodOf = async () => {
      const sub = await stripe.subscriptions.retrieve(subId);
      return [sub.status, sub.items.data[0]!.current_period_start, sub.items.data[0]!.current_period_end];
    };
    expect(await periodOf()).toEqual(['active', jan31, feb28]);
    expect((await stripe.subscriptions.retrieve(subId)).test_clock).toBe(clock.id);

    // Listed only when asked for by clock (or, for subscriptions, by customer), as on Stripe.
    expect((await stripe.customers.list({ email: 'clocked@example.com' })).data).toEqual([]);
    expect((await stripe.customers.list({ test_clock: clock.id })).data.map((c) => c.id)).toEqual([customer.id]);
    expect((await stripe.subscriptions.list()).data.map((sub) => sub.id)).not.toContain(subId);
    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((sub) => sub.id)).toEqual([subId]);

    // Refused, and nothing moves: backwards, or beyond two billing periods at once.
    expect(await rejection(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: jan31 }))).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    const tooFar = await rejection(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: apr28 }));
    expect(tooFar).toMatchObject({ statusCode: 400, param: 'frozen_time' });
    expect(tooFar.message).toContain('two intervals of its shortest subscription');
    expect((await stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time).toBe(jan31);

    const before = new Set((await stripe.events.list({ limit: 100 })).data.map((e) => e.id));
    const advancing = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: feb28 + 86_400 });
    expect(advancing.status).toBe('advancing');
    expect(await stripe.testHelpers.testClocks.retrieve(clock.id)).toMatchObject({ status: 'ready', frozen_time: feb28 + 86_400 });
    expect(await periodOf()).toEqual(['active', feb28, mar28]);
    const renewal = (await stripe.events.list({ limit: 100 })).data.filter((e) => !before.has(e.id)).reverse();
    expect(renewal.map((e) => e.type)).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'invoice.paid',
      'invoice.payment_succeeded',
      'test_helpers.test_clock.ready',
      'charge.updated',
    ]);
    const updated = renewal[1]!.data as Stripe.Event.Data & { previous_attributes: { items: Stripe.ApiList<Stripe.SubscriptionItem> } };
    expect(updated.previous_attributes.items.data[0]!.current_period_end).toBe(feb28);
    const invoice = (await stripe.invoices.list({ subscription: subId, expand: ['data.payments'] })).data[0]!;
    expect(invoice).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid', amount_paid: 900, period_start: jan31, period_end: feb28, created: feb28, test_clock: clock.id });
    expect(invoice.lines.data[0]!.period).toEqual({ start: feb28, end: mar28 });
    expect(invoice.payments!.data.map((p) => p.status)).toEqual(['paid']);
    expect((await stripe.invoices.list({ subscription: subId })).data.map((i) => i.billing_reason)).toEqual(['subscription_cycle', 'subscription_create']);

    // Cancelled at the period's end: nothing until then, then customer.subscription.deleted.
    await stripe.subscriptions.update(subId, { cancel_at_period_end: true });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: mar28 - 60 });
    expect((await periodOf())[0]).toBe('active');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: mar28 + 60 });
    const ended = await stripe.subscriptions.retrieve(subId);
    expect([ended.status, ended.ended_at, ended.canceled_at]).toEqual(['canceled', mar28, feb28 + 86_400]);
    expect((await stripe.events.list({ type: 'customer.subscription.deleted', limit: 1 })).data[0]!.data.object).toMatchObject({ id: subId, status: 'canceled' });
    expect((await stripe.invoices.list({ subscription: subId })).data).toHaveLength(2);
  });

  test("test clocks: a trial on a card that saves but declines charges (…0341) ends in a failed invoice and past_due; deleting the clock deletes its customers", async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const start = Date.UTC(2026, 5, 1) / 1000;
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: start });
    const customer = await stripe.customers.create({ email: 'trial@example.com', test_clock: clock.id });
    const base = { mode: 'subscription' as const, line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer: customer.id };
    // Without a trial the first charge declines in Checkout; with one, the card is saved.
    const paidNow = await stripe.checkout.sessions.create(base);
    await submitCheckoutForm(paidNow.url!, { cardNumber: '4000000000000341' });
    expect((await stripe.checkout.sessions.retrieve(paidNow.id)).status).toBe('open');
    const trial = await stripe.checkout.sessions.create({ ...base, subscription_data: { trial_period_days: 7 } });
    await submitCheckoutForm(trial.url!, { cardNumber: '4000000000000341' });
    const subId = (await stripe.checkout.sessions.retrieve(trial.id)).subscription as string;
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe('trialing');

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: start + 8 * 86_400 });
    const sub = await stripe.subscriptions.retrieve(subId, { expand: ['latest_invoice'] });
    expect(sub.status).toBe('past_due');
    expect(sub.latest_invoice).toMatchObject({ billing_reason: 'subscription_cycle', status: 'open', attempt_count: 1, amount_due: 2000, amount_paid: 0 });
    const types = (await stripe.events.list({ limit: 20 })).data.map((e) => e.type).reverse();
    expect(types.slice(types.indexOf('test_helpers.test_clock.advancing'))).toEqual([
      'test_helpers.test_clock.advancing',
      'customer.subscription.updated',
      'invoice.created',
      'invoice.finalized',
      'payment_intent.created',
      'charge.failed',
      'payment_intent.payment_failed',
      'invoice.payment_failed',
      'customer.subscription.updated',
      'test_helpers.test_clock.ready',
    ]);
    const [pastDue] = (await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 })).data;
    expect(pastDue!.data.previous_attributes).toEqual({ status: 'active' });

    expect(await stripe.testHelpers.testClocks.del(clock.id)).toMatchObject({ id: clock.id, deleted: true });
    expect(await stripe.customers.retrieve(customer.id)).toMatchObject({ deleted: true });
    expect((await stripe.subscriptions.retrieve(subId)).status).toBe('canceled');
    expect(await rejection(stripe.testHelpers.testClocks.retrieve(clock.id))).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    expect(await rejection(stripe.customers.create({ email: 'late@example.com', test_clock: clock.id }))).toMatchObject({ statusCode: 400, param: 'test_clock' });
  });

  test('the billing portal: a session links to a page where the customer cancels at the period end, or renews, and goes back', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'portal@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const { customer, subscription } = await stripe.checkout.sessions.retrieve(session.id);
    const portal = await stripe.billingPortal.sessions.create({ customer: customer as string, return_url: 'https://app.example/account' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer, return_url: 'https://app.example/account', livemode: false });
    expect(portal.url).toBe(`${h.emulator.url}/p/session/${portal.id}`);

    const page = await (await fetch(portal.url)).text();
    expect(page).toContain('<a href="https://app.example/account">Return to Vibes Test Shop</a>');
    expect(page).toMatch(/Pro plan[\s\S]*\$20\.00 per month[\s\S]*Renews on \d{4}-\d{2}-\d{2}[\s\S]*Cancel plan/);
    const act = (action: string) => fetch(`${h.emulator.url}/p/session/${portal.id}/subscriptions/${subscription}`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ action }),
    });
    const updated = async () => (await stripe.events.list({ type: 'customer.subscription.updated' })).data.map((e) => (e.data.object as Stripe.Subscription).cancel_at_period_end);
    const before = (await updated()).length;
    expect((await act('cancel')).status).toBe(303);
    const canceling = await stripe.subscriptions.retrieve(subscription as string);
    expect(canceling).toMatchObject({ status: 'active', cancel_at_period_end: true, cancel_at: canceling.items.data[0]!.current_period_end, cancellation_details: { reason: 'cancellation_requested' } });
    expect(await (await fetch(portal.url)).text()).toMatch(/Cancels on \d{4}-\d{2}-\d{2}[\s\S]*Renew plan/);
    await act('cancel'); // again: nothing more changes
    await act('renew');
    expect(await stripe.subscriptions.retrieve(subscription as string)).toMatchObject({ cancel_at_period_end: false, cancel_at: null });
    // One event for each change, none for the repeated cancel; newest first: the renewal, then the cancellation.
    const updates = await updated();
    expect(updates.slice(0, updates.length - before)).toEqual([false, true]);

    // Bad input: an unknown customer, a return_url that is no URL, a flow the emulator does not have; an unknown page.
    expect(await rejection(stripe.billingPortal.sessions.create({ customer: 'cus_missing' }))).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    expect(await rejection(stripe.billingPortal.sessions.create({ customer: customer as string, return_url: 'javascript:alert(1)' }))).toMatchObject({ statusCode: 400, param: 'return_url' });
    expect(await rejection(stripe.billingPortal.sessions.create({ customer: customer as string, flow_data: { type: 'payment_method_update' } }))).toMatchObject({ statusCode: 400, param: 'flow_data' });
    expect((await fetch(`${h.emulator.url}/p/session/bps_missing`)).status).toBe(404);
  });

  test('subscriptions, prices, products and invoices have their own search, by the fields Stripe lists for each', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const once = await oneTimePrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'searched@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const { subscription, invoice } = await stripe.checkout.sessions.retrieve(session.id);

    expect((await stripe.subscriptions.search({ query: "status:'active'" })).data.map((s) => s.id)).toEqual([subscription]);
    expect((await stripe.subscriptions.search({ query: "status:'canceled'" })).data).toEqual([]);
    expect((await stripe.prices.search({ query: "type:'one_time' active:'true'" })).data.map((p) => p.id)).toEqual([once.id]);
    expect((await stripe.products.search({ query: `active:'true'` })).data.map((p) => p.id).sort()).toEqual([monthly.product, once.product].sort());
    expect((await stripe.invoices.search({ query: `subscription:'${subscription}' status:'paid'` })).data.map((i) => i.id)).toEqual([invoice]);
    // A field another resource searches by is no field here.
    expect(await rejection(stripe.subscriptions.search({ query: "email:'searched@example.com'" }))).toMatchObject({ statusCode: 400, param: 'query' });
  });

  test('bad parameters are 400s in Stripe\'s shape and change nothing', async () => {
    const { stripe } = h;
    const unknown = await rejection(stripe.customers.create({ favourite_colour: 'blue' } as Stripe.CustomerCreateParams));
    expect(unknown).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'favourite_colour', type: 'StripeInvalidRequestError' });
    const email = await rejection(stripe.customers.create({ email: 'not an email' }));
    expect(email).toMatchObject({ statusCode: 400, code: 'email_invalid', param: 'email' });
    const missing = await rejection(stripe.prices.create({ currency: 'usd', unit_amount: 100 } as Stripe.PriceCreateParams));
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing' });
    const integer = await rejection(stripe.prices.create({ currency: 'usd', unit_amount: 'ten' as unknown as number, product_data: { name: 'x' } }));
    expect(integer).toMatchObject({ statusCode: 400, code: 'parameter_invalid_integer', param: 'unit_amount' });
    const longKey = await rejection(stripe.customers.create({ metadata: { ['k'.repeat(41)]: 'v' } }));
    expect(longKey.statusCode).toBe(400);
    // A hand-written client that posts JSON is refused, as by Stripe, not read as no parameters.
    const json = await fetch(`${h.emulator.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'vibes+json@example.com' }),
    });
    expect(json.status).toBe(400);
    expect((await json.json()).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('Invalid request: unsupported Content-Type application/json.') });
    // An empty body of no type holds no parameters and passes, as other Stripe libraries send it
    // (stripe-python's DELETE, a fetch POST without a body).
    const bodiless = await fetch(`${h.emulator.url}/v1/customers/cus_missing`, { method: 'POST', headers: { authorization: 'Bearer sk_test_x' } });
    expect((await bodiless.json()).error).toMatchObject({ code: 'resource_missing' });
    expect((await stripe.customers.list()).data).toHaveLength(0);
    expect((await stripe.products.list()).data).toHaveLength(0);
  });

  test('API keys: a missing key is 401, a live key is refused without echoing it, restricted test keys work', async () => {
    const missing = await fetch(`${h.emulator.url}/v1/customers`);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toMatchObject({ type: 'invalid_request_error', message: expect.stringContaining('did not provide an API key') });

    const liveKey = `sk_live_${randomBytes(12).toString('hex')}`;
    const live = await rejection(new Stripe(liveKey, emulatorStripeConfig(h.emulator.url)).customers.list());
    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(live.message).toMatch(/test mode only/);
    expect(live.message).not.toContain(liveKey);
    expect(JSON.stringify(live.raw)).not.toContain(liveKey);

    const nonsense = await rejection(new Stripe('hello', emulatorStripeConfig(h.emulator.url)).customers.list());
    expect(nonsense).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);

    const restricted = new Stripe(`rk_test_${randomBytes(6).toString('hex')}`, emulatorStripeConfig(h.emulator.url));
    expect((await restricted.customers.create({ email: 'r@example.com' })).email).toBe('r@example.com');
  });

  test('unknown ids are 404 resource_missing for every resource', async () => {
    const { stripe } = h;
    const calls: [string, Promise<unknown>][] = [
      ['customer', stripe.customers.retrieve('cus_missing')],
      ['product', stripe.products.retrieve('prod_missing')],
      ['price', stripe.prices.retrieve('price_missing')],
      ['checkout.session', stripe.checkout.sessions.retrieve('cs_test_missing')],
      ['subscription', stripe.subscriptions.retrieve('sub_missing')],
      ['event', stripe.events.retrieve('evt_missing')],
      ['webhook endpoint', stripe.webhookEndpoints.retrieve('we_missing')],
      ['payment_intent', stripe.paymentIntents.retrieve('pi_missing')],
      ['invoice', stripe.invoices.retrieve('in_missing')],
      ['charge', stripe.charges.retrieve('ch_missing')],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call);
      expect(error, name).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode, name).toBe(404);
      expect(error.code, name).toBe('resource_missing');
      expect(error.message, name).toContain(`No such ${name}`);
    }
    const url = await fetch(`${h.emulator.url}/v1/refunds`, { headers: { authorization: 'Bearer sk_test_x' } });
    expect(url.status).toBe(404);
    expect((await url.json()).error.message).toContain('Unrecognized request URL (GET: /v1/refunds): the Stripe emulator does not serve it; run this test in Stripe test mode.');
    // What it lacks is said to be the emulator's gap, with where to test it instead.
    const coupon = await rejection(stripe.coupons.create({ percent_off: 50 }));
    expect(coupon.message).toContain('Unrecognized request URL (POST: /v1/coupons): the Stripe emulator does not serve it; run this test in Stripe test mode. (The emulator serves part of Stripe\'s API, listed in the playwright-vibes README.)');
  });

  test('Idempotency-Key: same key and params replays the first answer; other params is an idempotency error', async () => {
    const { stripe } = h;
    const key = `key_${randomBytes(8).toString('hex')}`;
    const first = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: key });
    const second = await stripe.customers.create({ email: 'once@example.com' }, { idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await stripe.customers.list()).data).toHaveLength(1);
    expect((await stripe.events.list({ type: 'customer.created' })).data).toHaveLength(1);

    const conflict = await rejection(stripe.customers.create({ email: 'other@example.com' }, { idempotencyKey: key }));
    expect(conflict).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(conflict.statusCode).toBe(400);
    // The same key on another endpoint is told apart, as Stripe tells it.
    const elsewhere = await rejection(stripe.products.create({ name: 'Pro' }, { idempotencyKey: key }));
    expect(elsewhere).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(elsewhere.message).toBe(`Keys for idempotent requests can only be used for the same endpoint they were first used for ('/v1/customers' vs '/v1/products'). Try using a key other than '${key}' if you meant to execute a different request.`);

    // A request that failed validation saves nothing: the corrected retry with the same key runs.
    const retryKey = `key_${randomBytes(8).toString('hex')}`;
    await rejection(stripe.customers.create({ email: 'bad' }, { idempotencyKey: retryKey }));
    expect((await stripe.customers.create({ email: 'good@example.com' }, { idempotencyKey: retryKey })).email).toBe('good@example.com');

    // Concurrent duplicates with one key still create one customer.
    const raceKey = `key_${randomBytes(8).toString('hex')}`;
    const racers = await Promise.all(Array.from({ length: 5 }, () => stripe.customers.create({ email: 'race@example.com' }, { idempotencyKey: raceKey })));
    expect(new Set(racers.map((c) => c.id)).size).toBe(1);
  });

  test('Idempotency-Key: a 500 is saved, so the client\'s retry with the same key does not run the handler again', async () => {
    // No emulator route fails on purpose, so a stand-in route sits behind the emulator's own
    // idempotency layer and error handler: it changes state, then throws, as a bug would.
    let runs = 0;
    const app = express();
    app.use('/v1', express.urlencoded({ extended: true }), new IdempotencyCache().middleware());
    app.post('/v1/customers', () => {
      runs++;
      throw new Error('failed after creating the customer');
    });
    app.use(errorHandler);
    const server = await listen(createServer(app));
    try {
      // stripe-node retries a 500 with the same Idempotency-Key.
      const stripe = new Stripe('sk_test_retry', { ...emulatorStripeConfig(server.url), maxNetworkRetries: 2 });
      const error = await rejection(stripe.customers.create({ email: 'once@example.com' }));
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      expect(error.statusCode).toBe(500);
      expect(error.headers?.['idempotent-replayed']).toBe('true');
      expect(runs).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('rate limit: beyond N requests a second, 429 rate_limit surfaces as StripeRateLimitError', async () => {
    const limited = await startEmulatorHarness({ rateLimit: 5 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => limited.stripe.customers.list()));
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Stripe.errors.StripeError);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(refused).toHaveLength(7);
      for (const error of refused) {
        expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
        expect(error.statusCode).toBe(429);
        expect(error.code).toBe('rate_limit');
        expect(error.type).toBe('StripeRateLimitError');
        expect(error.headers?.['stripe-rate-limited-reason']).toBe('global-rate');
      }
      // The hosted page and test routes are not rate limited.
      expect((await fetch(`${limited.emulator.url}/_vibes/state`)).status).toBe(200);
      // The window slides: once a second has passed, requests are accepted again.
      await expect.poll(async () => (await limited.stripe.customers.list().then(() => 'ok', (e: Error) => e.constructor.name)), { timeout: 5000 }).toBe('ok');
    } finally {
      await limited.close();
    }
  });

  test('products and prices: create, retrieve, update, list with filters; price_data and default_price_data', async () => {
    const { stripe } = h;
    const product = await stripe.products.create({ name: 'Pro', description: 'All features', metadata: { tier: 'pro' } });
    expect(product.id).toMatch(/^prod_/);
    const monthly = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' }, lookup_key: `pro_${run()}` });
    expect(monthly).toMatchObject({ type: 'recurring', unit_amount: 2000, recurring: { interval: 'month', interval_count: 1 } });
    expect(String(monthly.unit_amount_decimal)).toBe('2000');
    const once = await stripe.prices.create({ currency: 'EUR', unit_amount: 500, product_data: { name: 'Sticker' } });
    expect(once).toMatchObject({ type: 'one_time', currency: 'eur', recurring: null });
    expect((await stripe.products.retrieve(once.product as string)).name).toBe('Sticker');

    expect((await stripe.prices.list({ product: product.id })).data.map((p) => p.id)).toEqual([monthly.id]);
    expect((await stripe.prices.list({ type: 'one_time' })).data.map((p) => p.id)).toEqual([once.id]);
    expect((await stripe.prices.list({ lookup_keys: [monthly.lookup_key!] })).data.map((p) => p.id)).toEqual([monthly.id]);
    expect((await stripe.prices.retrieve(monthly.id, { expand: ['product'] })).product).toMatchObject({ id: product.id, name: 'Pro' });

    const archived = await stripe.prices.update(once.id, { active: false });
    expect(archived.active).toBe(false);
    expect((await stripe.prices.list({ active: true })).data.map((p) => p.id)).toEqual([monthly.id]);

    const renamed = await stripe.products.update(product.id, { name: 'Pro plan', default_price: monthly.id });
    expect(renamed).toMatchObject({ name: 'Pro plan', default_price: monthly.id });
    const bundled = await stripe.products.create({ name: 'Team', default_price_data: { currency: 'usd', unit_amount: 9900, recurring: { interval: 'year' } } });
    expect((await stripe.prices.retrieve(bundled.default_price as string)).recurring?.interval).toBe('year');
    expect((await stripe.products.list({ limit: 100 })).data).toHaveLength(3);
  });

  test('a lookup key names one price: taking it from another needs transfer_lookup_key, and product_data keeps its metadata', async () => {
    const { stripe } = h;
    const key = `plan_${run()}`;
    const v1 = await stripe.prices.create({ currency: 'usd', unit_amount: 1000, product_data: { name: 'Plan', metadata: { tier: 'gold' } }, lookup_key: key });
    expect((await stripe.products.retrieve(v1.product as string)).metadata).toEqual({ tier: 'gold' });
    const v2 = await stripe.prices.create({ currency: 'usd', unit_amount: 1200, product: v1.product as string });
    for (const attempt of [stripe.prices.update(v2.id, { lookup_key: key }), stripe.prices.create({ currency: 'usd', unit_amount: 1300, product: v1.product as string, lookup_key: key })]) {
      const refused = await rejection(attempt);
      expect(refused).toMatchObject({ statusCode: 400, param: 'lookup_key', message: expect.stringContaining(`A price (\`${v1.id}\`) already uses that lookup key.`) });
    }
    expect((await stripe.prices.list({ lookup_keys: [key] })).data.map((p) => p.id)).toEqual([v1.id]);
    expect((await stripe.prices.list({ product: v1.product as string })).data).toHaveLength(2);
    // An app moving its plan to a new price, as Stripe's docs show.
    await stripe.prices.update(v2.id, { lookup_key: key, transfer_lookup_key: true });
    expect((await stripe.prices.list({ lookup_keys: [key] })).data.map((p) => p.id)).toEqual([v2.id]);
    expect((await stripe.prices.retrieve(v1.id)).lookup_key).toBeNull();
  });

  test('checkout sessions: create in both modes, retrieve, list, line items, expire', async () => {
    const { stripe, emulator } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 2 }],
      success_url: 'https://app.example/success?session_id={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.example/pricing',
      customer_email: 'sub@example.com',
      client_reference_id: 'user_42',
      metadata: { vibes_run: 'r-s' },
      subscription_data: { metadata: { vibes_run: 'r-s' } },
    });
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{58}$/);
    expect(session.url).toBe(`${emulator.url}/c/pay/${session.id}`);
    expect(session).toMatchObject({ status: 'open', payment_status: 'unpaid', mode: 'subscription', amount_total: 4000, currency: 'usd', customer_email: 'sub@example.com', client_reference_id: 'user_42', metadata: { vibes_run: 'r-s' } });
    expect(session.expires_at - session.created).toBe(86_400);

    const items = await stripe.checkout.sessions.listLineItems(session.id);
    expect(items.data).toEqual([expect.objectContaining({ object: 'item', quantity: 2, amount_total: 4000, description: 'Pro plan', price: expect.objectContaining({ id: monthly.id }) })]);
    const expanded = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items'] });
    expect(expanded.line_items?.data[0]?.id).toBe(items.data[0]!.id);
    // A path into the line items expands them too, as fulfilment code asks for the product.
    const withProducts = await stripe.checkout.sessions.retrieve(session.id, { expand: ['line_items.data.price.product'] });
    expect(withProducts.line_items?.data[0]?.price?.product).toMatchObject({ object: 'product', id: monthly.product });
    // Five levels are one too many, as Stripe says: a list's `data.` counts.
    const tooDeep = await rejection(stripe.subscriptions.list({ expand: ['data.items.data.price.product'] }));
    expect(tooDeep).toMatchObject({ statusCode: 400, code: 'property_expansion_max_depth', message: 'You cannot expand more than 4 levels of a property. Property: data.items.data.price.product' });
    // Refused before the call does anything: a create with such a path creates nothing.
    const customersBefore = (await stripe.customers.list({ limit: 100 })).data.length;
    expect(await rejection(stripe.customers.create({ email: 'deep@example.com', expand: ['a.b.c.d.e'] }))).toMatchObject({ statusCode: 400, code: 'property_expansion_max_depth' });
    expect((await stripe.customers.list({ limit: 100 })).data).toHaveLength(customersBefore);

    const payment = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 1500, product_data: { name: 'Credits' } }, quantity: 1 }],
      success_url: 'https://app.example/ok',
    });
    expect(payment).toMatchObject({ mode: 'payment', amount_total: 1500, payment_intent: null, customer_creation: 'if_required' });

    const listed = await stripe.checkout.sessions.list({ limit: 10 });
    expect(listed.data.map((s) => s.id)).toEqual([payment.id, session.id]);

    const expired = await stripe.checkout.sessions.expire(payment.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    expect((await stripe.checkout.sessions.list({ status: 'open' })).data.map((s) => s.id)).toEqual([session.id]);
    const twice = await rejection(stripe.checkout.sessions.expire(payment.id));
    expect(twice.statusCode).toBe(400);
    expect((await stripe.events.list({ type: 'checkout.session.expired' })).data[0]?.data.object).toMatchObject({ id: payment.id, status: 'expired' });
    expect((await fetch(payment.url!)).status).toBe(410);
  });

  test('checkout sessions refuse mismatched modes, prices and customers', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const once = await oneTimePrice(stripe);
    const base = { success_url: 'https://app.example/ok' };
    const recurringInPayment = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: monthly.id, quantity: 1 }] }));
    expect(recurringInPayment.message).toContain('recurring price');
    const noRecurring = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'subscription', line_items: [{ price: once.id, quantity: 1 }] }));
    expect(noRecurring.message).toContain('recurring price');
    // An unknown id in a parameter is a 400; only the URL's is a 404.
    const missingPrice = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: 'price_nope', quantity: 1 }] }));
    expect(missingPrice).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'line_items[0][price]' });
    const missingCustomer = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: once.id, quantity: 1 }], customer: 'cus_nope' }));
    expect(missingCustomer).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    // Stripe has no default quantity: an app that leaves it out fails there, so it fails here.
    const noQuantity = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: once.id, quantity: 1 }, { price: once.id }] }));
    expect(noQuantity).toMatchObject({ statusCode: 400, param: 'line_items[1][quantity]', message: 'Quantity is required. Add `quantity` to `line_items[1]`' });
    const both = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [{ price: once.id, quantity: 1 }], customer: 'cus_x', customer_email: 'a@example.com' }));
    expect(both.code).toBe('parameters_exclusive');
    const noSuccess = await rejection(stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price: once.id, quantity: 1 }] }));
    expect(noSuccess).toMatchObject({ code: 'parameter_missing', param: 'success_url' });
    expect((await stripe.checkout.sessions.list()).data).toHaveLength(0);
  });

  test('a refused checkout session with price_data creates no products, prices or events', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const before = (await stripe.events.list({ limit: 100 })).data.length;
    const inline = (currency: string) => ({ price_data: { currency, unit_amount: 500, product_data: { name: 'Inline item' } }, quantity: 1 });
    const base = { success_url: 'https://app.example/ok' };
    const recurring = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [inline('usd'), { price: monthly.id, quantity: 1 }] }));
    expect(recurring).toMatchObject({ statusCode: 400, message: expect.stringContaining('recurring price') });
    const currencies = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [inline('usd'), inline('eur')] }));
    expect(currencies).toMatchObject({ statusCode: 400, message: expect.stringContaining('same currency') });
    const unknown = await rejection(stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [inline('usd')], colour: 'blue' } as Stripe.Checkout.SessionCreateParams));
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown' });
    expect((await stripe.products.list({ limit: 100 })).data).toHaveLength(1);
    expect((await stripe.prices.list({ limit: 100 })).data.map((p) => p.id)).toEqual([monthly.id]);
    expect((await stripe.events.list({ limit: 100 })).data).toHaveLength(before);

    // The same line items in a valid request do create the inline product and price.
    const session = await stripe.checkout.sessions.create({ ...base, mode: 'payment', line_items: [inline('usd')] });
    expect(session.amount_total).toBe(500);
    expect((await stripe.products.list({ limit: 100 })).data).toHaveLength(2);
  });

  test('a trial to a set date (subscription_data.trial_end) is kept; a discount the emulator cannot apply is refused, not dropped', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const base = { mode: 'subscription' as const, line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok' };
    const now = Math.floor(Date.now() / 1000);
    const trialEnd = now + 10 * 86_400;
    const session = await stripe.checkout.sessions.create({ ...base, customer_email: 'trial@example.com', subscription_data: { trial_end: trialEnd } });
    expect(session.payment_status).toBe('no_payment_required');
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription'] });
    expect(done.subscription).toMatchObject({ status: 'trialing', trial_end: trialEnd });

    const soon = await rejection(stripe.checkout.sessions.create({ ...base, subscription_data: { trial_end: now + 86_400 } }));
    expect(soon).toMatchObject({ statusCode: 400, param: 'subscription_data[trial_end]', message: 'The `trial_end` date has to be at least 2 days in the future.' });
    const both = await rejection(stripe.checkout.sessions.create({ ...base, subscription_data: { trial_end: trialEnd, trial_period_days: 7 } }));
    expect(both).toMatchObject({ statusCode: 400, code: 'parameters_exclusive' });
    // No coupon exists here, so a named one is unknown, as Stripe answers for an unknown one.
    const coupon = await rejection(stripe.checkout.sessions.create({ ...base, discounts: [{ coupon: 'LAUNCH50' }] }));
    expect(coupon).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'discounts[0][coupon]', message: "No such coupon: 'LAUNCH50'" });
    const promo = await rejection(stripe.checkout.sessions.create({ ...base, discounts: [{ promotion_code: 'promo_x' }] }));
    expect(promo).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'discounts[0][promotion_code]' });
  });

  test('subscriptions: from a paid session, retrieve, list by customer, update metadata, cancel', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      line_items: [{ price: monthly.id, quantity: 1 }],
      success_url: 'https://app.example/ok?s={CHECKOUT_SESSION_ID}',
      customer_email: 'subscriber@example.com',
      subscription_data: { metadata: { vibes_run: 'r-sub' } },
    });
    const paid = await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    // On to a page that leaves for success_url by script, as Stripe's Checkout does (not a redirect).
    expect(paid).toEqual({ status: 303, location: `/c/pay/${session.id}/complete` });
    const leaving = await (await fetch(new URL(paid.location!, session.url!))).text();
    expect(leaving).toContain(`<script>location.replace("https://app.example/ok?s=${session.id}")</script>`);

    const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'customer', 'invoice'] });
    expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', url: null, customer_details: { email: 'subscriber@example.com', name: 'Vibes Tester' } });
    const sub = done.subscription as Stripe.Subscription;
    const customer = done.customer as Stripe.Customer;
    expect(sub).toMatchObject({ status: 'active', customer: customer.id, metadata: { vibes_run: 'r-sub' }, latest_invoice: (done.invoice as Stripe.Invoice).id });
    expect(customer.email).toBe('subscriber@example.com');
    expect(sub.items.data[0]).toMatchObject({ price: { id: monthly.id }, quantity: 1 });
    expect(sub.items.data[0]!.current_period_end).toBeGreaterThan(sub.items.data[0]!.current_period_start + 27 * 86_400);
    expect(done.invoice).toMatchObject({ status: 'paid', amount_paid: 2000, customer: customer.id });

    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([sub.id]);
    const updated = await stripe.subscriptions.update(sub.id, { metadata: { seats: '3' }, cancel_at_period_end: true });
    expect(updated).toMatchObject({ metadata: { vibes_run: 'r-sub', seats: '3' }, cancel_at_period_end: true, status: 'active' });

    const canceled = await stripe.subscriptions.cancel(sub.id);
    expect(canceled).toMatchObject({ id: sub.id, status: 'canceled', canceled_at: expect.any(Number), ended_at: expect.any(Number) });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toHaveLength(0);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(1);
    expect((await stripe.subscriptions.list({ status: 'canceled' })).data.map((s) => s.id)).toEqual([sub.id]);
    const again = await rejection(stripe.subscriptions.cancel(sub.id));
    expect(again.code).toBe('resource_missing');

    // A canceled subscription still takes metadata and cancellation_details, and nothing else.
    const noted = await stripe.subscriptions.update(sub.id, { metadata: { churn: 'price' }, cancellation_details: { comment: 'Too expensive', feedback: 'too_expensive' } });
    expect(noted).toMatchObject({ status: 'canceled', metadata: { churn: 'price' }, cancellation_details: { comment: 'Too expensive', feedback: 'too_expensive', reason: 'cancellation_requested' } });
    // '' clears a field; one left out stays.
    const cleared = await stripe.subscriptions.update(sub.id, { cancellation_details: { comment: '' } });
    expect(cleared.cancellation_details).toEqual({ comment: null, feedback: 'too_expensive', reason: 'cancellation_requested' });
    const described = await rejection(stripe.subscriptions.update(sub.id, { description: 'changed' }));
    expect(described).toMatchObject({ statusCode: 400, message: expect.stringContaining('canceled subscription') });

    const intents = await stripe.paymentIntents.list({ customer: customer.id });
    expect(intents.data).toEqual([expect.objectContaining({ status: 'succeeded', amount: 2000 })]);
    const charge = await stripe.charges.retrieve(intents.data[0]!.latest_charge as string);
    expect(charge).toMatchObject({ status: 'succeeded', paid: true, amount: 2000, payment_method_details: { card: { last4: '4242', brand: 'visa' } } });
    expect((await stripe.invoices.list({ subscription: sub.id })).data).toHaveLength(1);
    expect((await stripe.paymentMethods.retrieve(sub.default_payment_method as string)).customer).toBe(customer.id);
  });

  test('deleting a customer cancels its subscriptions and emits customer.deleted and customer.subscription.deleted', async () => {
    const { stripe } = h;
    const monthly = await monthlyPrice(stripe);
    const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: monthly.id, quantity: 1 }], success_url: 'https://app.example/ok', customer_email: 'leaving@example.com' });
    await submitCheckoutForm(session.url!, { cardNumber: '4242424242424242' });
    const { customer, subscription } = await stripe.checkout.sessions.retrieve(session.id);

    const deletion = await stripe.customers.del(customer as string);
    expect(deletion.deleted).toBe(true);
    const canceled = await stripe.subscriptions.retrieve(subscription as string, { expand: ['customer'] });
    expect(canceled.status).toBe('canceled');
    // Expanding a deleted customer gives the stub Stripe answers for it.
    expect(canceled.customer).toEqual({ id: customer, object: 'customer', deleted: true });
    const events = (await stripe.events.list({ limit: 100 })).data;
    const subDeleted = events.find((e) => e.type === 'customer.subscription.deleted')!;
    const customerDeleted = events.find((e) => e.type === 'customer.deleted')!;
    expect(subDeleted.data.object).toMatchObject({ id: subscription, status: 'canceled' });
    expect(customerDeleted.data.object).toMatchObject({ id: customer, email: 'leaving@example.com' });
    expect(customerDeleted.request?.id).toMatch(/^req_/);
    expect(customerDeleted.request?.id).toBe(subDeleted.request?.id);
    // Stripe takes idempotency keys on POST only, so a DELETE's events record none.
    expect(customerDeleted.request?.idempotency_key).toBeNull();
    expect((await fetch(`${h.emulator.url}/_vibes/state`).then((r) => r.json())).customers).toEqual({ live: 0, deleted: 1 });
  });

  test('events: list newest first with type filters, retrieve; creating a customer emits customer.created', async () => {
    const { stripe } = h;
    const customer = await stripe.customers.create({ email: 'evt@example.com' });
    await stripe.customers.update(customer.id, { name: 'Evt' });
    const events = await stripe.events.list();
    expect(events.data.map((e) => e.type)).toEqual(['customer.updated', 'customer.created']);
    const created = events.data[1]!;
    expect(created).toMatchObject({
      id: expect.stringMatching(/^evt_/),
      object: 'event',
      api_version: Stripe.API_VERSION,
      livemode: false,
      pending_webhooks: 0,
      request: { id: expect.stringMatching(/^req_/), idempotency_key: expect.stringMatching(/^stripe-node-retry-/) },
      data: { object: { id: customer.id, email: 'evt@example.com', name: null } },
    });
    expect(events.data[0]!.data.previous_attributes).toEqual({ name: null });
    expect((await stripe.events.retrieve(created.id)).id).toBe(created.id);
    expect((await stripe.events.list({ type: 'customer.updated' })).data).toHaveLength(1);
    expect((await stripe.events.list({ types: ['customer.*'] })).data).toHaveLength(2);
    const all = await stripe.events.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all).toHaveLength(2);
  });

  test('webhook endpoints: create with url and secret, retrieve, list, update, delete', async () => {
    const { stripe } = h;
    const secret = `whsec_${randomBytes(16).toString('hex')}`;
    const endpoint = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hook', enabled_events: ['checkout.session.completed'], secret } as Stripe.WebhookEndpointCreateParams);
    expect(endpoint).toMatchObject({ object: 'webhook_endpoint', url: 'http://127.0.0.1:9/hook', status: 'enabled', enabled_events: ['checkout.session.completed'], secret });
    const generated = await stripe.webhookEndpoints.create({ url: 'http://127.0.0.1:9/other', enabled_events: ['*'] });
    expect(generated.secret).toMatch(/^whsec_/);
    const fetched = await stripe.webhookEndpoints.retrieve(endpoint.id);
    expect(fetched.secret).toBeUndefined();
    expect((await stripe.webhookEndpoints.list()).data).toHaveLength(2);
    expect((await stripe.webhookEndpoints.update(endpoint.id, { disabled: true })).status).toBe('disabled');
    expect(await stripe.webhookEndpoints.del(generated.id)).toEqual({ id: generated.id, object: 'webhook_endpoint', deleted: true });
    const bad = await rejection(stripe.webhookEndpoints.create({ url: 'not a url', enabled_events: ['*'] }));
    expect(bad).toMatchObject({ statusCode: 400, param: 'url' });
  });

  test('POST /_vibes/reset forgets every object; GET /_vibes/state counts them', async () => {
    const { stripe, emulator } = h;
    await stripe.customers.create({ email: 'a@example.com' });
    const doomed = await stripe.customers.create({ email: 'b@example.com' });
    await stripe.customers.del(doomed.id);
    const state = await fetch(`${emulator.url}/_vibes/state`).then((r) => r.json());
    expect(state).toMatchObject({ customers: { live: 1, deleted: 1 }, subscriptions: 0, events: 3 });
    expect((await fetch(`${emulator.url}/_vibes/reset`, { method: 'POST' })).status).toBe(200);
    expect(await fetch(`${emulator.url}/_vibes/state`).then((r) => r.json())).toMatchObject({ customers: { live: 0, deleted: 0 }, events: 0 });
    expect((await stripe.customers.list()).data).toHaveLength(0);
    const gone = await rejection(stripe.customers.retrieve(doomed.id));
    expect(gone.code).toBe('resource_missing');
    emulator.reset();
    expect((await stripe.events.list()).data).toHaveLength(0);
  });
});
