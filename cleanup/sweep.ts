import type Stripe from 'stripe';
import type { Ledger, LedgerEntry } from './ledger.js';
import { removeLedgerEntry, removeStripeCustomers, type RemoverContext } from './removers.js';

export interface SweepProgress {
  done: number;
  total: number;
  failed: number;
  label: string;
}

export interface SweepResult {
  removed: number;
  failed: { label: string; error: string }[];
  /** Stripe customers found by tag that no ledger entry named. */
  strays: number;
}

/** Removes ledger entries (oldest first), recording each outcome; never stops at a failure. */
export async function sweepEntries(
  entries: readonly LedgerEntry[],
  ledger: Ledger,
  context: RemoverContext,
  { dryRun = false, onProgress }: { dryRun?: boolean; onProgress?: (p: SweepProgress) => void } = {},
): Promise<SweepResult> {
  const result: SweepResult = { removed: 0, failed: [], strays: 0 };
  for (const [i, entry] of entries.entries()) {
    if (!dryRun) {
      try {
        await removeLedgerEntry(entry, context);
        await ledger.markRemoved(entry.id);
        result.removed++;
      } catch (error) {
        const message = (error as Error)?.message ?? String(error);
        result.failed.push({ label: entry.label, error: message });
        await ledger.markFailed(entry.id, message).catch(() => {});
      }
    }
    onProgress?.({ done: i + 1, total: entries.length, failed: result.failed.length, label: entry.label });
  }
  return result;
}

/**
 * The backstop for what no ledger recorded (a ledger on another machine, a database reset): Stripe
 * customers whose e-mail carries the test prefix, created in or before the second `createdAtOrBefore`
 * (Unix seconds, as Stripe stamps `created`: one made in that very second counts). A customer that
 * a `pending` ledger entry names (by id or e-mail) is no stray: it is the ledger sweep's to
 * remove, or, for a run still going, that run's own.
 */
export async function findStrayStripeCustomers(
  stripe: Stripe,
  context: RemoverContext,
  { emailPrefix = 'vibes+', createdAtOrBefore, pending = [] }: { emailPrefix?: string; createdAtOrBefore: number; pending?: readonly LedgerEntry[] },
): Promise<string[]> {
  // An app user's entry names an e-mail whose Stripe customer the app made (a fuzz subject's): it is that run's too.
  const named = new Set(pending.filter((e) => e.kind === 'stripe-customer' || e.kind === 'stripe-customers' || e.kind === 'app-user').map((e) => e.resource_id));
  const ids = new Set<string>();
  let page: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const query = `email~${searchString(emailPrefix)} AND created<=${createdAtOrBefore}`;
    const result = await context.limiter.call(() => stripe.customers.search({ query, limit: 100, page }));
    // Search matches substrings; only a true prefix is ours.
    for (const c of result.data) if (c.email?.startsWith(emailPrefix) && !named.has(c.id) && !named.has(c.email)) ids.add(c.id);
    if (!result.has_more || !result.next_page) break;
    page = result.next_page;
  }
  return [...ids];
}

/** A quoted string of Stripe's search query language: a quote or backslash in it is escaped with a backslash. */
function searchString(value: string): string {
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

export async function removeStrays(ids: readonly string[], context: RemoverContext, onProgress?: (p: SweepProgress) => void): Promise<SweepResult> {
  const result: SweepResult = { removed: 0, failed: [], strays: ids.length };
  for (const [i, id] of ids.entries()) {
    try {
      await removeStripeCustomers([id], context);
      result.removed++;
    } catch (error) {
      result.failed.push({ label: `Stripe customer ${id}`, error: (error as Error).message });
    }
    onProgress?.({ done: i + 1, total: ids.length, failed: result.failed.length, label: `Stripe customer ${id}` });
  }
  return result;
}
