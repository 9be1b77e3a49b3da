import express, { type Request, type Response, type Router } from 'express';
import type { Emulator } from '../context.js';
import { StripeApiError } from '../errors.js';
import { currentSession, type CheckoutSession } from '../resources/checkout-sessions.js';
import type { Customer } from '../resources/customers.js';
import type { Price } from '../resources/prices.js';
import type { Product } from '../resources/products.js';
import type { CheckoutFlow } from '../store.js';
import { formatAmount } from './amount.js';
import { formValues, validateForm } from './form.js';
import { renderChallengeFrame, renderChallengePage, renderCheckoutPage, renderLeavingPage, renderMessagePage, type PageLine } from './page.js';
import { completeAuthentication, submitPayment, successRedirect, type AttemptResult } from './payment.js';

function intervalText(price: Price): string | null {
  if (!price.recurring) return null;
  const { interval, interval_count: count } = price.recurring;
  return count === 1 ? `per ${interval}` : `every ${count} ${interval}s`;
}

function submitLabel(session: CheckoutSession, flow: CheckoutFlow): string {
  if (session.mode === 'subscription') return flow.subscriptionData.trial ? 'Start trial' : 'Subscribe';
  if (session.submit_type === 'donate') return 'Donate';
  if (session.submit_type === 'book') return 'Book';
  return 'Pay';
}

/** The email the session fixes: `customer_email`, or the given customer's email. */
function lockedEmail(emu: Emulator, session: CheckoutSession): string | null {
  if (session.customer_email) return session.customer_email;
  if (session.customer) {
    const customer = emu.store.collections.customers.get(session.customer) as Customer | undefined;
    return customer?.email ?? null;
  }
  return null;
}

function pageLines(emu: Emulator, flow: CheckoutFlow): PageLine[] {
  return flow.lines.map(({ priceId, quantity }) => {
    const price = emu.store.collections.prices.require(priceId) as Price;
    const product = emu.store.collections.products.get(price.product) as Product | undefined;
    return { name: product?.name ?? 'Item', quantity, amount: price.unit_amount * quantity, interval: intervalText(price) };
  });
}

/** The session a page URL names, or a page saying why it cannot be paid (sent already). */
function payableSession(emu: Emulator, req: Request, res: Response): { session: CheckoutSession; flow: CheckoutFlow } | undefined {
  let session: CheckoutSession;
  try {
    session = currentSession(emu, String(req.params.id));
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    res.status(404).type('html').send(renderMessagePage('Something went wrong', 'The page you were looking for could not be found. Check the link, or start checkout again from the site you came from.'));
    return undefined;
  }
  if (session.status === 'expired') {
    res.status(410).type('html').send(
      renderMessagePage('This Checkout Session is no longer active', 'The checkout session has expired. Return to the site you came from to start again.', session.cancel_url ? { href: session.cancel_url, label: '← Back' } : undefined),
    );
    return undefined;
  }
  if (session.status === 'complete') {
    res.status(200).type('html').send(renderMessagePage('Your payment is complete', 'This checkout session has already been paid.', { href: successRedirect(session), label: 'Continue' }));
    return undefined;
  }
  return { session, flow: emu.store.checkoutFlows.get(session.id)! };
}

function answer(res: Response, session: CheckoutSession, flow: CheckoutFlow, result: AttemptResult, values: Record<string, string>): void {
  if (result.kind === 'succeeded') {
    res.redirect(303, `/c/pay/${session.id}/complete`);
    return;
  }
  flow.flash = { values, fieldErrors: {}, alert: result.kind === 'declined' ? result.message : null };
  // Post/redirect/get: the page URL stays /c/pay/<id>, and a reload never pays twice.
  res.redirect(303, `/c/pay/${session.id}`);
}

export function registerCheckoutPages(router: Router, emu: Emulator): void {
  const form = express.urlencoded({ extended: false, limit: '20kb' });

  router.get('/c/pay/:id', (req, res) => {
    const found = payableSession(emu, req, res);
    if (!found) return;
    const { session, flow } = found;
    const flash = flow.flash;
    delete flow.flash;
    const pending = flow.pendingAuthentication;
    const values = flash?.values ?? (pending ? pendingValues(pending.details) : {});
    res.set('Cache-Control', 'no-store');
    res.type('html').send(
      renderCheckoutPage({
        sessionId: session.id,
        businessName: emu.config.businessName,
        mode: session.mode,
        currency: session.currency,
        total: session.amount_total,
        lines: pageLines(emu, flow),
        cancelUrl: session.cancel_url,
        submitLabel: submitLabel(session, flow),
        lockedEmail: lockedEmail(emu, session),
        values,
        fieldErrors: flash?.fieldErrors ?? {},
        alert: flash?.alert ?? null,
        challengeSrc: pending ? `/c/pay/${session.id}/3ds/${pending.attemptId}` : null,
      }),
    );
  });

  router.post('/c/pay/:id', form, (req, res) => {
    const found = payableSession(emu, req, res);
    if (!found) return;
    const { session, flow } = found;
    const values = formValues(req.body, lockedEmail(emu, session));
    const { fieldErrors, details } = validateForm(values);
    if (!details) {
      flow.flash = { values, fieldErrors, alert: null };
      res.redirect(303, `/c/pay/${session.id}`);
      return;
    }
    delete flow.pendingAuthentication;
    answer(res, session, flow, submitPayment(emu, session, details), values);
  });

  // Stripe's Checkout leaves for success_url by a navigation of its own script, not by an HTTP
  // redirect: a browser route on the app's origin (predeploy's bypass headers) sees that request,
  // and would not see a redirect's.
  router.get('/c/pay/:id/complete', (req, res) => {
    const session = emu.store.collections.checkoutSessions.get(String(req.params.id)) as CheckoutSession | undefined;
    if (session?.status !== 'complete') {
      res.redirect(303, `/c/pay/${String(req.params.id)}`);
      return;
    }
    res.type('html').send(renderLeavingPage('Payment successful', 'Taking you back…', successRedirect(session)));
  });

  router.get('/c/pay/:id/3ds/:attempt', (req, res) => {
    const found = payableSession(emu, req, res);
    if (!found) return;
    res.type('html').send(renderChallengeFrame(`/c/pay/${found.session.id}/3ds/${String(req.params.attempt)}/challenge`));
  });

  router.get('/c/pay/:id/3ds/:attempt/challenge', (req, res) => {
    const found = payableSession(emu, req, res);
    if (!found) return;
    const { session } = found;
    res.type('html').send(
      renderChallengePage({ action: `/c/pay/${session.id}/3ds/${String(req.params.attempt)}`, amount: formatAmount(session.amount_total, session.currency), businessName: emu.config.businessName }),
    );
  });

  router.post('/c/pay/:id/3ds/:attempt', form, (req, res) => {
    const found = payableSession(emu, req, res);
    if (!found) return;
    const { session, flow } = found;
    const pending = flow.pendingAuthentication;
    const outcome = (req.body as Record<string, unknown> | undefined)?.outcome === 'complete' ? 'complete' : 'fail';
    const result = completeAuthentication(emu, session, String(req.params.attempt), outcome);
    if (!result || !pending) {
      // A stale challenge (already answered, or replaced by a newer submit): show the page as it is now.
      res.redirect(303, `/c/pay/${session.id}`);
      return;
    }
    answer(res, session, flow, result, pendingValues(pending.details));
  });
}

function pendingValues(details: { email: string; name: string; country: string | null; postalCode: string | null }): Record<string, string> {
  return { email: details.email, billingName: details.name, billingCountry: details.country ?? 'US', billingPostalCode: details.postalCode ?? '' };
}
