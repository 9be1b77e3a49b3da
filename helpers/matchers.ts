import type { ExpectMatcherState, MatcherReturnType } from '@playwright/test';
import { plural } from '../core/index.js';
import { ANNOTATIONS, annotate } from './annotations.js';
import type { EntitlementProbe } from './entitlements.js';
import type { Webhooks } from './webhooks.js';
import { isAccepted, isGenuine } from './deliveries.js';

/** Probes and clients that can explain a failure with the test's webhook timeline. */
interface Explained {
  timelineText?: () => Promise<string>;
}

const POLL_INTERVALS = [100, 250, 500, 1000];

/** The wait before read `i + 1`, as Playwright's web-first assertions space theirs, but never past `until`. */
const pollWait = (i: number, until: number) =>
  new Promise((r) => setTimeout(r, Math.min(POLL_INTERVALS[Math.min(i, POLL_INTERVALS.length - 1)]!, Math.max(0, until - Date.now()))));

/**
 * Polls like Playwright's own web-first assertions: passes as soon as the condition holds,
 * fails at the timeout, or at once when `settled` says waiting cannot help. With `stableForMs`,
 * a condition that holds is watched that much longer and fails if it stops holding; `firstHeld`
 * then says when it first held.
 */
async function poll<T>(
  state: ExpectMatcherState,
  read: () => Promise<T>,
  holds: (value: T) => boolean,
  settled: (value: T) => boolean = () => false,
  stableForMs = 0,
): Promise<{ value: T; pass: boolean; firstHeld?: { value: T; afterMs: number } }> {
  const deadline = Date.now() + state.timeout;
  for (let i = 0; ; i++) {
    const value = await read();
    const ok = holds(value) !== state.isNot;
    if (ok && !state.isNot && stableForMs > 0) return watch(read, holds, value, stableForMs);
    if (ok || (!state.isNot && settled(value)) || Date.now() >= deadline) return { value, pass: holds(value) };
    await pollWait(i, deadline);
  }
}

/** Keeps reading a value that holds until `ms` have passed, or until it no longer holds. */
async function watch<T>(read: () => Promise<T>, holds: (value: T) => boolean, first: T, ms: number) {
  const start = Date.now();
  for (let i = 0; Date.now() - start < ms; i++) {
    await pollWait(i, start + ms);
    const value = await read();
    if (!holds(value)) return { value, pass: false, firstHeld: { value: first, afterMs: Date.now() - start } };
  }
  return { value: first, pass: true };
}

/** The matchers' watch window: the call's, else the probe's configured one; a bad one is the caller's error. */
function stableFor(options: { stableForMs?: number } | undefined, probe: EntitlementProbe, matcher: string): number {
  const ms = options?.stableForMs ?? probe.stableForMs;
  if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) {
    throw new RangeError(`${matcher}: stableForMs must be a whole number of milliseconds from 0 to 600000; got ${JSON.stringify(ms)}.`);
  }
  return ms;
}

/**
 * Why a grant expected once is not there. A 2xx the app answered means it took the event and did
 * not grant: a handler that misses the user, answers before its grant commits (and then fails),
 * or leaves the grant to a page the browser visits (Fastify walkthrough: a success page granting,
 * the webhook acknowledging and ignoring).
 */
const GRANTED_NOTHING =
  'The app granted nothing: see below whether it refused the deliveries (their status). A delivery it answered with a 2xx it took without granting: ' +
  'does the handler find the user the way the event names it (email, client_reference_id, metadata, the customer id it stored), and grant, and commit, ' +
  'before it answers (not after, and not only from a page the browser visits)?';

/** "\n\nIt was 1 at first; 2 came 340 ms later, within the 1000 ms it was watched." */
function lateChange(firstHeld: { value: number; afterMs: number } | undefined, value: number, ms: number): string {
  if (!firstHeld) return '';
  return `\n\nIt was ${firstHeld.value} at first; ${value} came ${firstHeld.afterMs} ms later, within the ${ms} ms it was watched (stableForMs): the app granted after answering.`;
}

async function timelineOf(subject: Explained): Promise<string> {
  try {
    return subject.timelineText ? `\n\nWebhook timeline:\n${await subject.timelineText()}` : '';
  } catch (error) {
    return `\n\n(webhook timeline unavailable: ${(error as Error).message})`;
  }
}

function assertProbe(subject: unknown, matcher: string): asserts subject is EntitlementProbe & Explained {
  if (!subject || typeof (subject as EntitlementProbe).count !== 'function') {
    throw new TypeError(`${matcher} is called on the entitlements fixture: await expect(entitlements).${matcher}(user.email)`);
  }
}

export const vibesMatchers = {
  /** The app granted the entitlement to `email` exactly once (not zero, not twice). */
  async toGrantExactlyOnce(this: ExpectMatcherState, probe: EntitlementProbe, email: string, options?: { stableForMs?: number }): Promise<MatcherReturnType> {
    assertProbe(probe, 'toGrantExactlyOnce');
    const name = 'toGrantExactlyOnce';
    const ms = stableFor(options, probe, name);
    // Grants never go away on their own: above one, waiting longer cannot make it pass.
    const { value, pass, firstHeld } = await poll(this, () => probe.count(email), (n) => n === 1, (n) => n > 1, ms).catch((error: unknown) => {
      // A check that could not count (its SQL refused, its endpoint down) is a failed check too.
      if (!this.isNot) annotate(ANNOTATIONS.exactlyOnce, `failed ${email}: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
      throw error;
    });
    if (!this.isNot) annotate(ANNOTATIONS.exactlyOnce, pass ? `passed ${email}` : `failed ${email}: granted ${value} times`);
    const timeline = pass === this.isNot ? await timelineOf(probe) : '';
    return {
      name,
      pass,
      expected: 1,
      actual: value,
      message: () =>
        this.utils.matcherHint(name, 'entitlements', 'email', { isNot: this.isNot }) +
        `\n\nEmail: ${email}\nExpected: ${this.isNot ? 'not ' : ''}granted exactly once\n` +
        `Received: granted ${plural(value, 'time')}` +
        (value > 1 ? '\n\nThe app granted more than once: a duplicate or concurrent delivery of one event was not deduplicated, or the app also grants outside its webhook (a success page racing it).' : '') +
        (value === 0 && !this.isNot ? `\n\n${GRANTED_NOTHING}` : '') +
        lateChange(firstHeld, value, ms) +
        timeline,
    };
  },

  /** The app granted nothing to `email` (a declined card, a refused signature). */
  async toGrantNothing(this: ExpectMatcherState, probe: EntitlementProbe, email: string, options?: { stableForMs?: number }): Promise<MatcherReturnType> {
    assertProbe(probe, 'toGrantNothing');
    const name = 'toGrantNothing';
    const ms = stableFor(options, probe, name);
    const { value, pass, firstHeld } = await poll(this, () => probe.count(email), (n) => n === 0, undefined, ms);
    const timeline = pass === this.isNot ? await timelineOf(probe) : '';
    return {
      name,
      pass,
      expected: 0,
      actual: value,
      message: () =>
        this.utils.matcherHint(name, 'entitlements', 'email', { isNot: this.isNot }) +
        `\n\nEmail: ${email}\nExpected: ${this.isNot ? 'some' : 'no'} grant\nReceived: granted ${plural(value, 'time')}` +
        lateChange(firstHeld, value, ms) +
        timeline,
    };
  },

  /**
   * A genuinely signed copy (`fresh` or `original`) of an event of `type` for `to` (an email, or
   * its customer's: a payment intent carries none) got a 2xx answer from the app. Forged copies a
   * test replays later (`stale`, `missing`, …) are meant to be refused, so they never undo a
   * delivery the app took.
   */
  async toHaveDelivered(this: ExpectMatcherState, webhooks: Webhooks, type: string, { to }: { to: string }): Promise<MatcherReturnType> {
    const name = 'toHaveDelivered';
    if (!webhooks || typeof (webhooks as Webhooks).events !== 'function') {
      throw new TypeError(`${name} is called on the webhooks fixture: await expect(webhooks).${name}('checkout.session.completed', { to: user.email })`);
    }
    const read = async () => {
      const events = (await webhooks.events({ type, email: to, limit: 20 })).filter((e) => !e.teardown);
      const copies = await Promise.all(events.map(async (e) => ({ id: e.id, deliveries: e.delivery_count > 0 ? await webhooks.deliveries(e) : [] })));
      return { copies, delivered: copies.some(({ deliveries }) => deliveries.some((d) => isGenuine(d) && isAccepted(d))) };
    };
    const { value, pass } = await poll(this, read, (v) => v.delivered);
    const timeline = pass === this.isNot ? await timelineOf(webhooks) : '';
    const seen =
      value.copies.map(({ id, deliveries }) => `${id} ${deliveries.map((d) => `${d.kind} ${d.signature} -> ${d.status ?? d.error ?? 'no answer'}`).join(', ') || 'never delivered'}`).join('; ') ||
      `no ${type} event for ${to} (none carries that email or names a customer that an event carrying it names)`;
    return {
      name,
      pass,
      message: () =>
        this.utils.matcherHint(name, 'webhooks', 'type', { isNot: this.isNot }) +
        `\n\nExpected: ${type} for ${to} ${this.isNot ? 'not ' : ''}delivered genuinely signed with a 2xx answer\nReceived: ${seen}` +
        timeline,
    };
  },
};
