import type { ExpectMatcherState, MatcherReturnType } from '@playwright/test';
import { ANNOTATIONS, annotate } from './annotations.js';
import type { EntitlementProbe } from './entitlements.js';
import type { Webhooks } from './webhooks.js';

/** Probes and clients that can explain a failure with the test's webhook timeline. */
interface Explained {
  timelineText?: () => Promise<string>;
}

const POLL_INTERVALS = [100, 250, 500, 1000];

/**
 * Polls like Playwright's own web-first assertions: passes as soon as the condition holds,
 * fails at the timeout, or at once when `settled` says waiting cannot help.
 */
async function poll<T>(
  state: ExpectMatcherState,
  read: () => Promise<T>,
  holds: (value: T) => boolean,
  settled: (value: T) => boolean = () => false,
): Promise<{ value: T; pass: boolean }> {
  const deadline = Date.now() + state.timeout;
  for (let i = 0; ; i++) {
    const value = await read();
    const ok = holds(value) !== state.isNot;
    if (ok || (!state.isNot && settled(value)) || Date.now() >= deadline) return { value, pass: holds(value) };
    await new Promise((r) => setTimeout(r, Math.min(POLL_INTERVALS[Math.min(i, POLL_INTERVALS.length - 1)]!, Math.max(0, deadline - Date.now()))));
  }
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
  async toGrantExactlyOnce(this: ExpectMatcherState, probe: EntitlementProbe, email: string): Promise<MatcherReturnType> {
    assertProbe(probe, 'toGrantExactlyOnce');
    const name = 'toGrantExactlyOnce';
    // Grants never go away on their own: above one, waiting longer cannot make it pass.
    const { value, pass } = await poll(this, () => probe.count(email), (n) => n === 1, (n) => n > 1);
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
        `Received: granted ${value} time${value === 1 ? '' : 's'}` +
        (value > 1 ? '\n\nThe app granted more than once: a duplicate or concurrent delivery of one event was not deduplicated.' : '') +
        timeline,
    };
  },

  /** The app granted nothing to `email` (a declined card, a refused signature). */
  async toGrantNothing(this: ExpectMatcherState, probe: EntitlementProbe, email: string): Promise<MatcherReturnType> {
    assertProbe(probe, 'toGrantNothing');
    const name = 'toGrantNothing';
    const { value, pass } = await poll(this, () => probe.count(email), (n) => n === 0);
    const timeline = pass === this.isNot ? await timelineOf(probe) : '';
    return {
      name,
      pass,
      expected: 0,
      actual: value,
      message: () =>
        this.utils.matcherHint(name, 'entitlements', 'email', { isNot: this.isNot }) +
        `\n\nEmail: ${email}\nExpected: ${this.isNot ? 'some' : 'no'} grant\nReceived: granted ${value} time${value === 1 ? '' : 's'}` +
        timeline,
    };
  },

  /** An event of `type` for `to` (an email) reached the app and got a 2xx answer. */
  async toHaveDelivered(this: ExpectMatcherState, webhooks: Webhooks, type: string, { to }: { to: string }): Promise<MatcherReturnType> {
    const name = 'toHaveDelivered';
    if (!webhooks || typeof (webhooks as Webhooks).events !== 'function') {
      throw new TypeError(`${name} is called on the webhooks fixture: await expect(webhooks).${name}('checkout.session.completed', { to: user.email })`);
    }
    const read = async () => {
      const events = (await webhooks.events({ type, email: to, limit: 20 })).filter((e) => !e.teardown);
      return { events, delivered: events.some((e) => e.last_status !== null && e.last_status >= 200 && e.last_status < 300) };
    };
    const { value, pass } = await poll(this, read, (v) => v.delivered);
    const timeline = pass === this.isNot ? await timelineOf(webhooks) : '';
    const seen = value.events.map((e) => `${e.id} last status ${e.last_status ?? 'none'}`).join(', ') || 'no such event';
    return {
      name,
      pass,
      message: () =>
        this.utils.matcherHint(name, 'webhooks', 'type', { isNot: this.isNot }) +
        `\n\nExpected: ${type} for ${to} ${this.isNot ? 'not ' : ''}delivered with a 2xx answer\nReceived: ${seen}` +
        timeline,
    };
  },
};
