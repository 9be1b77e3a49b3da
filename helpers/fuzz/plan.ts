import fc from 'fast-check';
import { MAX_GROUP_SIZE, type SignatureMode } from '../../replay-server/index.js';

/**
 * Signature variants a forger (or a broken proxy) sends, which a correct app refuses. `future`
 * is left out on purpose: stripe's `constructEvent` accepts a timestamp ahead of the clock.
 */
export const FORGED_SIGNATURES = ['stale', 'wrong-secret', 'missing'] as const satisfies readonly SignatureMode[];

export interface PlanOptions {
  /** Most deliveries in one run (default 10). */
  maxDeliveries: number;
  /** Forged signature variants to mix in; empty for genuine copies only. */
  forgeries: readonly SignatureMode[];
  /** Whether deliveries may be cut off before the app answers (Stripe's timeout). */
  cutOffs: boolean;
  /** Whether deliveries may start together. */
  concurrency: boolean;
  /** Whether consecutive events setup builds may share their `created` second. */
  sameSecond: boolean;
}

export const DEFAULT_PLAN: PlanOptions = { maxDeliveries: 10, forgeries: FORGED_SIGNATURES, cutOffs: true, concurrency: true, sameSecond: true };

/** One delivery of a resolved plan: which event (its index in setup's list), how it is signed, whether it is cut off. */
export interface PlannedDelivery {
  event: number;
  signature: SignatureMode;
  cutOff: boolean;
}

/** Groups run in order; the deliveries of one group start together. */
export type DeliveryPlan = PlannedDelivery[][];

/**
 * What fast-check draws per delivery. `again` repeats the previous delivery's event and
 * `together` starts the delivery with the previous one; `copies` sends a burst of the same
 * delivery at once. They are common on purpose: duplicates and concurrent first deliveries are
 * where webhook handlers break. Every field shrinks toward the plain case (event 0, one genuine
 * copy, sequential, answered). `kept` is almost always true and shrinks to false, which drops
 * the delivery: fast-check shrinks an array by removing its leading items only, and this lets
 * it remove any delivery, the last ones too.
 */
export interface Draw {
  kept: boolean;
  event: number;
  /** Copies of the event delivered together, as a burst of Stripe's retries (1 to 3). */
  copies: number;
  again: boolean;
  together: boolean;
  signature: SignatureMode;
  cutOff: boolean;
}

/**
 * A run's draws. `forgedOnly` names an event that Stripe never sends in this run: every copy of
 * it is forged. A forged copy of an event the app also got genuinely is a duplicate, invisible
 * to an app that dedupes by event id; one that arrives alone shows whether signatures are checked.
 */
export interface DrawnPlan {
  deliveries: Draw[];
  forgedOnly: number | null;
  /**
   * `sameSecond[i]`: the event setup builds after the i-th one gets the same `created`. Stripe's
   * `created` is whole seconds and one change sends several events at once, so ties are common;
   * an app that breaks them by arrival order can let a late "active" undo a cancellation.
   */
  sameSecond: boolean[];
}

/** Ties are drawn for the first this many events a setup builds; later ones are a second apart. */
export const MAX_SAME_SECOND_EVENTS = 16;

// Divisible by every count from 1 to 8: the modulo below picks among up to 8 events evenly.
const EVENT_DRAW_MAX = 839;

// Shrinking may swap a value for one of the first arbitrary: true to false, 3 copies to 1.
const SHRINK_TO_FIRST = { withCrossShrink: true } as const;

/** A boolean that is true `percent` of the time and shrinks straight to false. */
function sometimes(percent: number): fc.Arbitrary<boolean> {
  return fc.oneof(SHRINK_TO_FIRST, { arbitrary: fc.constant(false), weight: 100 - percent }, { arbitrary: fc.constant(true), weight: percent });
}

export function planArbitrary(options: PlanOptions): fc.Arbitrary<DrawnPlan> {
  const forging = options.forgeries.length > 0;
  const signature: fc.Arbitrary<SignatureMode> = forging
    ? fc.oneof(SHRINK_TO_FIRST, { arbitrary: fc.constant<SignatureMode>('fresh'), weight: 85 }, { arbitrary: fc.constantFrom(...options.forgeries), weight: 15 })
    : fc.constant('fresh');
  const draw = fc.record({
    kept: sometimes(97),
    event: fc.nat({ max: EVENT_DRAW_MAX }),
    copies: options.concurrency ? fc.oneof(SHRINK_TO_FIRST, { arbitrary: fc.constant(1), weight: 55 }, { arbitrary: fc.integer({ min: 2, max: 3 }), weight: 45 }) : fc.constant(1),
    again: sometimes(40),
    together: options.concurrency ? sometimes(40) : fc.constant(false),
    signature,
    cutOff: options.cutOffs ? sometimes(12) : fc.constant(false),
  });
  return fc.record({
    deliveries: fc.array(draw, { minLength: 1, maxLength: options.maxDeliveries }),
    forgedOnly: forging
      ? fc.oneof(SHRINK_TO_FIRST, { arbitrary: fc.constant(null), weight: 75 }, { arbitrary: fc.nat({ max: EVENT_DRAW_MAX }), weight: 25 })
      : fc.constant(null),
    // A fixed length, so that shrinking clears ties one by one instead of shifting them along.
    sameSecond: options.sameSecond
      ? fc.array(sometimes(25), { minLength: MAX_SAME_SECOND_EVENTS - 1, maxLength: MAX_SAME_SECOND_EVENTS - 1 })
      : fc.constant([]),
  });
}

/** The builder's `sameSecond` for a run's draws: event `index` ties with the one before it. */
export function sameSecondAs(drawn: Pick<DrawnPlan, 'sameSecond'>): (index: number) => boolean {
  return (index) => drawn.sameSecond[index - 1] ?? false;
}

/**
 * Wraps a builder's `sameSecond` to learn how many events the setup built, and so which ties it
 * used: what a counterexample's schedule file records.
 */
export class TieRecorder {
  /** Events built so far (0 while at most one: only a second event asks). */
  built = 0;

  constructor(private readonly tie: (index: number) => boolean) {}

  readonly sameSecond = (index: number): boolean => {
    this.built = Math.max(this.built, index + 1);
    return this.tie(index);
  };

  /** The ties of the events built, in build order: `[i]` for the event after the i-th. */
  ties(): boolean[] {
    return Array.from({ length: Math.max(0, this.built - 1) }, (_, i) => this.tie(i + 1));
  }
}

/**
 * Turns draws into groups of deliveries over `eventCount` events (none, when every draw was
 * dropped). The count is only known once a run's setup has returned its events, so draws carry
 * a number that is reduced here.
 */
export function resolvePlan({ deliveries, forgedOnly }: Pick<DrawnPlan, 'deliveries' | 'forgedOnly'>, eventCount: number, options: Pick<PlanOptions, 'maxDeliveries' | 'forgeries'> = DEFAULT_PLAN): DeliveryPlan {
  if (eventCount < 1) throw new Error('resolvePlan needs at least one event.');
  const forged = forgedOnly === null || options.forgeries.length === 0 ? undefined : forgedOnly % eventCount;
  const groups: DeliveryPlan = [];
  let previous: number | undefined;
  let total = 0;
  for (const draw of deliveries) {
    if (!draw.kept) continue;
    const copies = Math.min(draw.copies, options.maxDeliveries - total);
    if (copies === 0) break;
    const event = draw.again && previous !== undefined ? previous : draw.event % eventCount;
    const signature = event === forged && draw.signature === 'fresh' ? options.forgeries[total % options.forgeries.length]! : draw.signature;
    total += copies;
    const burst = Array.from({ length: copies }, (): PlannedDelivery => ({ event, signature, cutOff: draw.cutOff }));
    const current = groups.at(-1);
    if (draw.together && current && current.length + burst.length <= MAX_GROUP_SIZE) current.push(...burst);
    else groups.push(burst);
    previous = event;
  }
  return groups;
}

/** How a property's options shape its schedules, as they are written in `webhooks.fuzz` and `fuzzHandler`. */
export interface PlanChoices {
  /** Most deliveries per run (default 10). */
  maxDeliveries?: number;
  /** Forged signature variants to mix in (default stale, wrong-secret, missing); false for none. */
  forgeries?: readonly SignatureMode[] | false;
  /** Cut deliveries off before the app answers, as Stripe's timeout does (default true). */
  cutOffs?: boolean;
  /** Start deliveries together (default true). */
  concurrency?: boolean;
  /** Let consecutive events from `stripeEvents` share their `created` second, as Stripe's often do (default true). */
  sameSecond?: boolean;
}

/** The plan options a property asked for, defaults filled in and checked. */
export function planOptions(choices: PlanChoices): PlanOptions {
  const options: PlanOptions = {
    maxDeliveries: choices.maxDeliveries ?? DEFAULT_PLAN.maxDeliveries,
    forgeries: choices.forgeries === false ? [] : (choices.forgeries ?? DEFAULT_PLAN.forgeries),
    cutOffs: choices.cutOffs ?? DEFAULT_PLAN.cutOffs,
    concurrency: choices.concurrency ?? DEFAULT_PLAN.concurrency,
    sameSecond: choices.sameSecond ?? DEFAULT_PLAN.sameSecond,
  };
  if (!Number.isInteger(options.maxDeliveries) || options.maxDeliveries < 1 || options.maxDeliveries > 200) {
    throw new RangeError(`maxDeliveries must be a whole number from 1 to 200; got ${options.maxDeliveries}.`);
  }
  const bad = options.forgeries.filter((mode) => mode === 'fresh' || mode === 'original');
  if (bad.length > 0) throw new RangeError(`forgeries lists signature variants an app must refuse; "${bad[0]}" is not one (use ${FORGED_SIGNATURES.join(', ')}).`);
  return options;
}
