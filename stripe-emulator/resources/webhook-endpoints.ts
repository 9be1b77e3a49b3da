import type { Router } from 'express';
import { httpUrl } from '../../core/index.js';
import type { Emulator } from '../context.js';
import { errors } from '../errors.js';
import { newId, randomBase62 } from '../ids.js';
import { paginate } from '../list.js';
import type { Params } from '../params.js';
import { emptyMetadata, type Metadata, type StripeObject } from '../types.js';
import { paramsOf, pathParam, retrieveRoute, send } from '../http/respond.js';

export interface WebhookEndpoint extends StripeObject {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  description: string | null;
  metadata: Metadata;
}

function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

/** Stores an endpoint and its signing secret (kept apart: Stripe shows a secret only at creation). */
export function createWebhookEndpoint(
  emu: Emulator,
  input: { url: string; secret: string; enabledEvents?: string[]; description?: string | null; metadata?: Metadata },
): WebhookEndpoint {
  const endpoint: WebhookEndpoint = {
    id: newId('we', 24),
    object: 'webhook_endpoint',
    api_version: null,
    application: null,
    created: emu.clock.now(),
    description: input.description ?? null,
    enabled_events: input.enabledEvents ?? ['*'],
    livemode: false,
    metadata: input.metadata ?? emptyMetadata(),
    status: 'enabled',
    url: input.url,
  };
  emu.store.collections.webhookEndpoints.add(endpoint);
  emu.store.webhookSecrets.set(endpoint.id, input.secret);
  return endpoint;
}

function readEndpointUrl(params: Params, required: boolean): string | undefined {
  const url = params.string('url', { required, max: 2048 });
  if (url === undefined) return undefined;
  if (!httpUrl(url)) {
    throw errors.invalidValue('url', `Invalid URL: ${url}. A webhook endpoint needs an absolute http(s) URL such as http://127.0.0.1:3000/webhooks/stripe.`);
  }
  return url;
}

export function registerWebhookEndpoints(router: Router, emu: Emulator): void {
  const endpoints = emu.store.collections.webhookEndpoints;

  router.post('/v1/webhook_endpoints', (req, res) => {
    const params = paramsOf(req);
    const url = readEndpointUrl(params, true)!;
    const enabledEvents = params.stringArray('enabled_events') ?? ['*'];
    // An emulator extension: a test may choose the signing secret its receiver already knows.
    const secret = params.string('secret', { max: 200 }) ?? newWebhookSecret();
    if (!secret.startsWith('whsec_')) throw errors.invalidValue('secret', 'A webhook signing secret starts with whsec_.');
    const description = params.nullableString('description', { max: 5000 });
    const metadata = params.metadata();
    params.accept('api_version', 'connect');
    params.done();
    const endpoint = createWebhookEndpoint(emu, { url, secret, enabledEvents, ...(description !== undefined ? { description } : {}), ...(metadata ? { metadata } : {}) });
    send(emu, res, { ...endpoint, secret }, params);
  });

  router.get('/v1/webhook_endpoints', (req, res) => {
    const params = paramsOf(req);
    const page = paginate(endpoints.newestFirst(), params, '/v1/webhook_endpoints', 'webhook_endpoint');
    params.done();
    send(emu, res, page, params);
  });

  retrieveRoute(router, emu, '/v1/webhook_endpoints', endpoints);

  router.post('/v1/webhook_endpoints/:id', (req, res) => {
    const params = paramsOf(req);
    const endpoint = endpoints.require(pathParam(req, 'id')) as WebhookEndpoint;
    const url = readEndpointUrl(params, false);
    const enabledEvents = params.stringArray('enabled_events');
    const disabled = params.boolean('disabled');
    const description = params.nullableString('description', { max: 5000 });
    const metadata = params.metadata('metadata', endpoint.metadata);
    params.done();
    if (url !== undefined) endpoint.url = url;
    if (enabledEvents !== undefined) endpoint.enabled_events = enabledEvents;
    if (disabled !== undefined) endpoint.status = disabled ? 'disabled' : 'enabled';
    if (description !== undefined) endpoint.description = description;
    if (metadata !== undefined) endpoint.metadata = metadata;
    send(emu, res, endpoint, params);
  });

  router.delete('/v1/webhook_endpoints/:id', (req, res) => {
    const params = paramsOf(req);
    params.done();
    const endpoint = endpoints.require(pathParam(req, 'id'));
    endpoints.delete(endpoint.id);
    emu.store.webhookSecrets.delete(endpoint.id);
    send(emu, res, { id: endpoint.id, object: 'webhook_endpoint', deleted: true }, params);
  });
}
