import { isDeepStrictEqual } from 'node:util';
import { plural } from '../../core/index.js';
import { CUT_OFF_ERROR, type SignatureMode } from '../../replay-server/index.js';

/** An event of a run, as stored on the replay server. */
export interface FuzzEvent {
  /** Position in the list setup returned. */
  index: number;
  id: string;
  type: string;
  /** Stripe's `created` (unix seconds): what "newest" means. */
  created: number;
  /** `data.object`. */
  object: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** One delivery of a run and what came of it. */
export interface DeliveryRecord {
  group: number;
  /** Index of the event in setup's list. */
  event: number;
  signature: SignatureMode;
  cutOff: boolean;
  status: number | null;
  error: string | null;
  latency_ms: number | null;
}

/**
 * What the app was told about an event by genuinely signed copies:
 * - `acknowledged`: one was answered 2xx, so the event must have taken effect;
 * - `unconfirmed`: one reached the app but its answer was an error or was cut off, so the event
 *   may or may not have taken effect (Stripe would retry);
 * - `undelivered`: none reached the app (forged copies may have), so it must have had no effect.
 */
export type EventFate = 'acknowledged' | 'unconfirmed' | 'undelivered';

/** An event: its id, the object setup returned (with an `id`), or its index in setup's list. */
export type EventRef = string | number | { id: string };

/** An invariant that does not hold; its message says what was expected, from which deliveries. */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation';
}

const GENUINE: ReadonlySet<SignatureMode> = new Set(['fresh']);

/** The facts of one run that invariants are judged against: which events reached the app, and how. */
export class RunFacts {
  constructor(
    readonly events: readonly FuzzEvent[],
    readonly deliveries: readonly DeliveryRecord[],
  ) {}

  event(ref: EventRef): FuzzEvent {
    const found =
      typeof ref === 'number' ? this.events[ref] : this.events.find((e) => e.id === (typeof ref === 'string' ? ref : ref.id));
    if (!found) throw new Error(`no event ${describeRef(ref)} in this run; refer to events setup returned (by id, object or index).`);
    return found;
  }

  fate(ref: EventRef): EventFate {
    const copies = this.genuineCopies(ref);
    if (copies.some((d) => d.status !== null && d.status >= 200 && d.status < 300 && !d.cutOff)) return 'acknowledged';
    if (copies.some((d) => d.status !== null || d.error === CUT_OFF_ERROR)) return 'unconfirmed';
    return 'undelivered';
  }

  /**
   * Fails unless an effect of the event (a grant, an email) happened as often as its fate allows:
   * exactly once when acknowledged, at most once when unconfirmed, never when undelivered.
   */
  expectAppliedOnce(ref: EventRef, count: number, what = 'its effect'): void {
    const event = this.event(ref);
    const fate = this.fate(event);
    const ok = fate === 'acknowledged' ? count === 1 : fate === 'unconfirmed' ? count <= 1 : count === 0;
    if (ok) return;
    const expected = { acknowledged: 'exactly once', unconfirmed: 'at most once', undelivered: 'never' }[fate];
    throw new InvariantViolation(
      `${what}: happened ${plural(count, 'time')}, but ${this.label(event)} should take effect ${expected}: ${this.because(event, fate)}.`,
    );
  }

  /**
   * Fails unless `actual` is the state of the newest event (by `created`) among `refs` that the
   * app must or may have applied: no older than the newest acknowledged one, never from an event
   * only forged copies carried. `null`/`undefined` means "no state": right when none is acknowledged.
   * Events of the same second are equally new, except that a final state (`terminal`; by default,
   * with `statusOf`, Stripe's: a canceled subscription, a paid invoice) is never left once acknowledged.
   */
  expectNewestState<T>(
    refs: readonly EventRef[],
    actual: T | null | undefined,
    stateOf: (event: FuzzEvent) => T = statusOf as (event: FuzzEvent) => T,
    what = 'the state',
    { terminal = stateOf === statusOf ? stripeFinalStatus : () => false }: { terminal?: (state: T, event: FuzzEvent) => boolean } = {},
  ): void {
    const events = refs.map((ref) => this.event(ref));
    const acknowledged = events.filter((e) => this.fate(e) === 'acknowledged');
    const floor = Math.max(-Infinity, ...acknowledged.map((e) => e.created));
    const isFinal = (e: FuzzEvent) => terminal(stateOf(e), e);
    const ended = acknowledged.filter(isFinal);
    const endedAt = Math.min(...ended.map((e) => e.created));
    // Once a final state is acknowledged, only a final state at least as new may stand.
    const candidates = events.filter((e) => this.fate(e) !== 'undelivered' && (ended.length === 0 ? e.created >= floor : isFinal(e) && e.created >= endedAt));
    const absentAllowed = acknowledged.length === 0;
    if (actual === null || actual === undefined ? absentAllowed : candidates.some((e) => isDeepStrictEqual(stateOf(e), actual))) return;

    const newest = acknowledged.reduce<FuzzEvent | undefined>((a, e) => (a && a.created >= e.created ? a : e), undefined);
    const allowed = [...candidates.map((e) => `${JSON.stringify(stateOf(e))} (${this.label(e)})`), ...(absentAllowed ? ['none'] : [])];
    const source = events.filter((e) => isDeepStrictEqual(stateOf(e), actual)).map((e) => `${this.label(e)}, ${this.fate(e)}`);
    const reason =
      ended.length > 0
        ? `: the app acknowledged ${this.label(ended[0]!)}, whose ${JSON.stringify(stateOf(ended[0]!))} is final`
        : newest
          ? `: the newest event the app acknowledged is ${this.label(newest)}`
          : ': the app acknowledged none of these events';
    throw new InvariantViolation(
      `${what} is ${actual === null || actual === undefined ? 'none' : JSON.stringify(actual)}${source.length ? ` (as in ${source.join('; ')})` : ''}, ` +
        `but should be ${allowed.join(' or ')}${reason}.`,
    );
  }

  /** "#2 customer.subscription.updated (created 12:00:03)". */
  label(ref: EventRef): string {
    const event = this.event(ref);
    return `#${event.index} ${event.type} (created ${new Date(event.created * 1000).toISOString().slice(11, 19)})`;
  }

  /** "fresh → 200, fresh → cut off, stale → 400". */
  copies(ref: EventRef): string {
    const event = this.event(ref);
    const copies = this.deliveries.filter((d) => d.event === event.index);
    if (copies.length === 0) return 'no copies';
    return copies.map((d) => `${d.signature} → ${d.cutOff ? 'cut off' : (d.status ?? d.error ?? 'no answer')}`).join(', ');
  }

  private genuineCopies(ref: EventRef): DeliveryRecord[] {
    const event = this.event(ref);
    return this.deliveries.filter((d) => d.event === event.index && GENUINE.has(d.signature));
  }

  private because(event: FuzzEvent, fate: EventFate): string {
    const copies = `its copies: ${this.copies(event)}`;
    if (fate === 'acknowledged') return `the app acknowledged a genuine copy (${copies})`;
    if (fate === 'unconfirmed') return `a genuine copy reached the app, unacknowledged (${copies})`;
    return `no genuinely signed copy reached the app (${copies})`;
  }
}

/** `data.object.status`: the state of subscriptions, invoices, payment intents. */
export function statusOf(event: FuzzEvent): unknown {
  return event.object.status;
}

/** Statuses Stripe never moves an object out of, by `data.object.object`. */
const FINAL_STATUSES: Readonly<Record<string, readonly unknown[]>> = {
  subscription: ['canceled', 'incomplete_expired'],
  invoice: ['paid', 'void'],
  payment_intent: ['succeeded', 'canceled'],
  setup_intent: ['succeeded', 'canceled'],
  'checkout.session': ['complete', 'expired'],
};

/** Whether `status` is one Stripe never leaves, for the kind of object the event carries. */
export function stripeFinalStatus(status: unknown, event: FuzzEvent): boolean {
  const kind = event.object.object;
  return typeof kind === 'string' && Object.hasOwn(FINAL_STATUSES, kind) && FINAL_STATUSES[kind]!.includes(status);
}

function describeRef(ref: EventRef): string {
  return typeof ref === 'object' ? ref.id : String(ref);
}
