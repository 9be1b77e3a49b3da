import { isRecord } from '../core/index.js';
import { errors } from './errors.js';
import type { Store } from './store.js';

const MAX_EXPAND_DEPTH = 4;

/**
 * A field Stripe leaves out of an object unless `expand[]` names it (an invoice's `payments`, a
 * Checkout Session's `line_items`), computed from the store when asked for.
 */
export type Includable = (store: Store, object: Record<string, unknown>) => unknown;

const includables = new Map<string, Includable>();

/** Each resource module declares its includable fields when it loads; they are pure reads of a store. */
export function defineIncludable(objectType: string, field: string, include: Includable): void {
  includables.set(`${objectType}.${field}`, include);
}

/**
 * Applies `expand[]` paths (`customer`, `latest_invoice.payment_intent`, `data.subscription`) to a
 * copy of the object: an id found at the path is replaced by the stored object it names, and an
 * includable field left out is filled in. The paths
 * were checked (checkExpandPaths) before the call's handler ran.
 */
export function expand(store: Store, value: unknown, paths: string[]): unknown {
  const copy = structuredClone(value);
  for (const path of paths) expandPath(store, copy, path.split('.'));
  return copy;
}

/**
 * Refuses a path deeper than Stripe allows, as Stripe refuses it (a list's `data.` counts as a
 * level); the API checks every call's paths before its handler changes anything.
 */
export function checkExpandPaths(paths: string[]): void {
  const tooDeep = paths.find((path) => path.split('.').length > MAX_EXPAND_DEPTH);
  if (tooDeep) throw errors.expandTooDeep(tooDeep);
}

function expandPath(store: Store, node: unknown, segments: string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) expandPath(store, item, segments);
    return;
  }
  if (!isRecord(node) || segments.length === 0) return;
  const [head, ...rest] = segments as [string, ...string[]];
  let child = node[head];
  const include = child === undefined ? includables.get(`${String(node.object)}.${head}`) : undefined;
  if (include) {
    // A copy: deeper paths replace ids in what it holds, which must not reach the stored objects.
    child = structuredClone(include(store, node));
    node[head] = child;
  } else if (typeof child === 'string') {
    // A deleted customer expands to the stub Stripe answers for it, not to what it was.
    const found = store.deletedCustomers.has(child) ? { id: child, object: 'customer', deleted: true } : store.find(child);
    if (!found) return;
    child = structuredClone(found);
    node[head] = child;
  }
  if (rest.length > 0) expandPath(store, child, rest);
}
