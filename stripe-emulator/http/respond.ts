import type { Request, Response, Router } from 'express';
import type { Emulator } from '../context.js';
import { expand } from '../expand.js';
import { Params } from '../params.js';
import { search, type SearchFields } from '../search.js';
import type { Collection } from '../store.js';
import type { EventRequest, StripeObject } from '../types.js';

/** Parameters of an API call: the query string for GET and DELETE, the form body otherwise. */
export function paramsOf(req: Request): Params {
  return Params.of(req.method === 'GET' || req.method === 'DELETE' ? req.query : req.body);
}

/** What events caused by this API call record as their `request`. */
export function eventRequest(res: Response): EventRequest {
  return (res.locals.eventRequest as EventRequest | undefined) ?? { id: null, idempotency_key: null };
}

/** Answers with a copy of the object, `expand[]` applied, so later changes never leak into a sent body. */
export function send(emu: Emulator, res: Response, value: unknown, params: Params, status = 200): void {
  res.status(status).json(expand(emu.store, value, params.expand()));
}

/** Path parameter as a string (express 5 types them loosely). */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return Array.isArray(value) ? value.join('/') : String(value ?? '');
}

/**
 * `GET <path>/search` over `objects` (newest first) by the fields that resource's search knows.
 * Registered before `<path>/:id`, which would take "search" for an id.
 */
export function searchRoute(router: Router, emu: Emulator, path: string, objects: () => StripeObject[], fields: SearchFields): void {
  router.get(`${path}/search`, (req, res) => {
    const params = paramsOf(req);
    const result = search(objects(), params, `${path}/search`, fields);
    params.done();
    send(emu, res, result, params);
  });
}

/** `GET <path>/:id` answering the stored object, or Stripe's 404 `resource_missing`. */
export function retrieveRoute(router: Router, emu: Emulator, path: string, collection: Collection<StripeObject>, accepted: string[] = []): void {
  router.get(`${path}/:id`, (req, res) => {
    const params = paramsOf(req);
    params.accept(...accepted);
    params.done();
    send(emu, res, collection.require(pathParam(req, 'id')), params);
  });
}
