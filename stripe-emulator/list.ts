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
  // Stripe takes either an exact timestamp or a hash of bounds.
  if (!params.isHash(field)) {
    const exact = params.integer(field);
    return (object) => object[field] === exact;
  }
  const range = params.object(field)!;
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
 *
 * `all` is the unfiltered list in the same order. Stripe finds a cursor by id even when it no
 * longer matches the filters (archived or deleted while a client pages with `active=true`), and
 * continues from where it stood; so the cursor is looked up there, not among `items`.
 */
export function paginate<T extends StripeObject>(items: T[], params: Params, url: string, resource: string, all: readonly StripeObject[] = items): ListObject<T> {
  const limit = readLimit(params);
  const startingAfter = params.string('starting_after');
  const endingBefore = params.string('ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) throw errors.exclusive(['starting_after', 'ending_before']);
  const cursor = endingBefore ?? startingAfter;
  let data: T[];
  let hasMore: boolean;
  if (cursor === undefined) {
    data = items.slice(0, limit);
    hasMore = items.length > limit;
  } else {
    const position = new Map(all.map((item, i) => [item.id, i]));
    const at = position.get(cursor);
    if (at === undefined) throw errors.resourceMissing(resource, cursor, endingBefore !== undefined ? 'ending_before' : 'starting_after');
    if (endingBefore !== undefined) {
      // The filtered items listed before the cursor (the cursor itself excluded).
      const end = countWhile(items, (item) => position.get(item.id)! < at);
      data = items.slice(Math.max(0, end - limit), end);
      hasMore = end > limit;
    } else {
      // The filtered items listed after the cursor.
      const start = countWhile(items, (item) => position.get(item.id)! <= at);
      data = items.slice(start, start + limit);
      hasMore = start + limit < items.length;
    }
  }
  return { object: 'list', data, has_more: hasMore, url };
}

/** How many leading items satisfy `test` (the lists are ordered, so the rest do not). */
function countWhile<T>(items: T[], test: (item: T) => boolean): number {
  const index = items.findIndex((item) => !test(item));
  return index < 0 ? items.length : index;
}
