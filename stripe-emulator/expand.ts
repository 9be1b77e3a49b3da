import { isRecord } from '../core/index.js';
import { errors } from './errors.js';
import type { Store } from './store.js';

const MAX_EXPAND_DEPTH = 4;

/**
 * Applies `expand[]` paths (`customer`, `latest_invoice.payment_intent`, `data.subscription`) to a
 * copy of the object: an id found at the path is replaced by the stored object it names. The paths
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
  if (typeof child === 'string') {
    // A deleted customer expands to the stub Stripe answers for it, not to what it was.
    const found = store.deletedCustomers.has(child) ? { id: child, object: 'customer', deleted: true } : store.find(child);
    if (!found) return;
    child = structuredClone(found);
    node[head] = child;
  }
  if (rest.length > 0) expandPath(store, child, rest);
}
