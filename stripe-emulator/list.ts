import { errors } from './errors.js';
import type { Params } from './params.js';
import type { ListObject, StripeObject } from './types.js';

/** Reads `limit` (1–100, default 10) as Stripe does. */
export function readLimit(params: Params): number {
  return params.integer('limit', { min: 1, max: 100 }) ?? 10;
}

/** `created=<ts>` or `created[gt|gte|lt|lte]=<ts>`, as a predicate. */
export function createdFilter(params: Params, field = 'created'): (object: StripeObject) => boolean {
  if (!params.has(field)) return () => true;
  const range = params.object(field);
  if (!range) {
    const exact = params.integer(field);
    return (object) => object[field] === exact;
  }
  const gt = range.integer('gt');
  const gte = range.integer('gte');
  const lt = range.integer('lt');
  const lte = range.integer('lte');
  range.done();
  return (object) => {
    const t = Number(object[field]);
    return (gt === undefined || t > gt) && (gte === undefined || t >= gte) && (lt === undefined || t < lt) && (lte === undefined || t <= lte);
  };
}

/**
 * A page of a newest-first list with Stripe's cursor semantics: `starting_after` gives the
 * objects after that id, `ending_before` the ones before it, and `has_more` says whether more
 * lie beyond, so the stripe client's auto-pagination walks every object exactly once.
 */
export function paginate<T extends StripeObject>(items: T[], params: Params, url: string, resource: string): ListObject<T> {
  const limit = readLimit(params);
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) throw errors.exclusive(['starting_after', 'ending_before']);
  let data: T[];
  let hasMore: boolean;
  if (endingBefore !== undefined) {
    const index = items.findIndex((item) => item.id === endingBefore);
    if (index < 0) throw errors.resourceMissing(resource, endingBefore, 'ending_before');
    const before = items.slice(0, index);
    data = before.slice(Math.max(0, before.length - limit));
    hasMore = before.length > limit;
  } else {
    let start = 0;
    if (startingAfter !== undefined) {
      const index = items.findIndex((item) => item.id === startingAfter);
      if (index < 0) throw errors.resourceMissing(resource, startingAfter, 'starting_after');
      start = index + 1;
    }
    data = items.slice(start, start + limit);
    hasMore = start + limit < items.length;
  }
  return { object: 'list', data, has_more: hasMore, url };
}
