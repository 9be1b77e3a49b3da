import type { Router } from 'express';
import type { Emulator } from '../context.js';
import type { EventObject } from '../events.js';
import { createdFilter, paginate } from '../list.js';
import { paramsOf, retrieveRoute, send } from '../http/respond.js';

/** `*` and `customer.*` style wildcards, as `types[]` and `enabled_events` accept. */
export function eventTypeMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

export function registerEvents(router: Router, emu: Emulator): void {
  const events = emu.store.collections.events;

  router.get('/v1/events', (req, res) => {
    const params = paramsOf(req);
    const type = params.string('type');
    const types = params.stringArray('types');
    const created = createdFilter(params);
    params.accept('delivery_success');
    const all = events.newestFirst() as EventObject[];
    const items = all.filter(
      (e) =>
        (type === undefined || eventTypeMatches(type, e.type)) &&
        (types === undefined || types.some((t) => eventTypeMatches(t, e.type))) &&
        created(e),
    );
    const page = paginate(items, params, '/v1/events', 'event', all);
    params.done();
    send(emu, res, page, params);
  });

  retrieveRoute(router, emu, '/v1/events', events);
}
