import express, { type Router } from 'express';
import { html } from '../../core/index.js';
import { formatAmount } from '../checkout/amount.js';
import { renderMessagePage, renderPlainPage } from '../checkout/page.js';
import type { Emulator } from '../context.js';
import type { PortalSession } from '../resources/billing-portal.js';
import type { Product } from '../resources/products.js';
import { periodEndCancellation, updateSubscription, type Subscription } from '../resources/subscriptions.js';

/** What the portal lists: a customer's subscriptions that have not ended. */
function subscriptionsOf(emu: Emulator, customer: string): Subscription[] {
  return (emu.store.collections.subscriptions.newestFirst() as Subscription[]).filter(
    (sub) => sub.customer === customer && sub.status !== 'canceled' && sub.status !== 'incomplete_expired',
  );
}

function describe(emu: Emulator, sub: Subscription): { name: string; price: string; until: string } {
  const item = sub.items.data[0]!;
  const product = emu.store.collections.products.get(item.price.product) as Product | undefined;
  const interval = item.price.recurring ? ` per ${item.price.recurring.interval}` : '';
  const until = new Date(item.current_period_end * 1000).toISOString().slice(0, 10);
  return { name: product?.name ?? 'Subscription', price: `${formatAmount(item.price.unit_amount * item.quantity, item.price.currency)}${interval}`, until };
}

function renderPortal(emu: Emulator, session: PortalSession): string {
  const rows = subscriptionsOf(emu, session.customer).map((sub) => {
    const { name, price, until } = describe(emu, sub);
    const action = sub.cancel_at_period_end ? 'renew' : 'cancel';
    return html`<section aria-label="${name}"><h2>${name}</h2><p>${price}</p>
<p>${sub.cancel_at_period_end ? `Cancels on ${until}` : `Renews on ${until}`}</p>
<form method="post" action="/p/session/${session.id}/subscriptions/${sub.id}"><input type="hidden" name="action" value="${action}">
<button type="submit">${action === 'cancel' ? 'Cancel plan' : 'Renew plan'}</button></form></section>`;
  });
  const back = session.return_url ? html`<p><a href="${session.return_url}">Return to ${emu.config.businessName}</a></p>` : '';
  return renderPlainPage(
    `${emu.config.businessName} billing`,
    html`<h1>${emu.config.businessName}</h1>${back}<h2>Current plan</h2>${rows.length ? rows : html`<p>No active subscriptions.</p>`}`,
  );
}

/**
 * The customer portal a billing portal session links to: the customer's subscriptions, each with
 * "Cancel plan" (at the period's end, Stripe's default configuration) or "Renew plan", and a link
 * back to `return_url`. Each change is a `customer.subscription.updated`, as Stripe's portal sends.
 */
export function registerPortalPages(router: Router, emu: Emulator): void {
  const form = express.urlencoded({ extended: false, limit: '2kb' });
  const sessionOf = (id: string) => emu.store.collections.portalSessions.get(id) as PortalSession | undefined;
  const notFound = renderMessagePage('Something went wrong', 'This billing session could not be found. Start again from the site you came from.');

  router.get('/p/session/:id', (req, res) => {
    const session = sessionOf(String(req.params.id));
    if (!session) {
      res.status(404).type('html').send(notFound);
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.type('html').send(renderPortal(emu, session));
  });

  router.post('/p/session/:id/subscriptions/:sub', form, (req, res) => {
    const session = sessionOf(String(req.params.id));
    const sub = session && subscriptionsOf(emu, session.customer).find((s) => s.id === String(req.params.sub));
    const action = (req.body as Record<string, unknown> | undefined)?.action;
    if (!session || !sub || (action !== 'cancel' && action !== 'renew')) {
      res.status(404).type('html').send(notFound);
      return;
    }
    if (sub.cancel_at_period_end !== (action === 'cancel')) updateSubscription(emu, sub, periodEndCancellation(emu, sub, action === 'cancel'));
    // Post/redirect/get, as the checkout page does: a reload changes nothing twice.
    res.redirect(303, `/p/session/${session.id}`);
  });
}
