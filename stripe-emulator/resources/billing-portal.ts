import type { Router } from 'express';
import { httpUrl } from '../../core/index.js';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { newId } from '../ids.js';
import { paramsOf, send } from '../http/respond.js';
import type { StripeObject } from '../types.js';
import { requireLiveCustomer } from './customers.js';

export interface PortalSession extends StripeObject {
  object: 'billing_portal.session';
  customer: string;
  return_url: string | null;
  url: string;
}

/** The one portal configuration the emulator has: Stripe's default, cancelling at the period's end. */
const CONFIGURATION_ID = 'bpc_vibes_emulator_default';

/**
 * `POST /v1/billing_portal/sessions`: a link to the emulator's customer portal (`/p/session/<id>`),
 * where the customer sees their subscriptions and can cancel or renew them. Stripe's portal
 * sessions are not retrievable, and neither are these.
 */
export function registerBillingPortal(router: Router, emu: Emulator): void {
  router.post('/v1/billing_portal/sessions', (req, res) => {
    const params = paramsOf(req);
    const customerId = params.string('customer', { required: true })!;
    const returnUrl = params.string('return_url');
    if (returnUrl !== undefined && !httpUrl(returnUrl)) throw errors.invalidValue('return_url', 'Not a valid URL');
    params.accept('configuration', 'locale', 'on_behalf_of');
    params.notEmulated('flow_data');
    params.done();
    const customer = requireLiveCustomer(emu, customerId, 'customer');
    const id = newId('bps', 24);
    const session: PortalSession = {
      id,
      object: 'billing_portal.session',
      configuration: CONFIGURATION_ID,
      created: emu.clock.now(),
      customer: customer.id,
      customer_account: null,
      flow: null,
      livemode: false,
      locale: null,
      on_behalf_of: null,
      return_url: returnUrl ?? null,
      url: `${emu.config.publicUrl}/p/session/${id}`,
    };
    emu.store.collections.portalSessions.add(session);
    send(emu, res, session, params);
  });
}
