import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { plural } from '../../core/index.js';
import {
  CUT_OFF_ERROR,
  ReplayServerError,
  ScheduleFileError,
  groupSteps,
  readScheduleFile,
  type EventDetail,
  type ReplayClient,
  type ScheduleFile,
  type ScheduledDelivery,
} from '../../replay-server/index.js';
import { isAccepted } from '../deliveries.js';
import { RunFacts, type DeliveryRecord, type FuzzEvent } from './facts.js';
import { planArbitrary, planOptions, resolvePlan, sameSecondAs, TieRecorder, type DeliveryPlan, type DrawnPlan, type PlanChoices } from './plan.js';
import { FuzzSetupError, FuzzVacuousError, describeExecution, searchCounterexample, type Execution, type FuzzResult } from './search.js';
import { resolveSettings, type FuzzConfig, type RunChoices } from './settings.js';
import { stripeEvents, type StripeEvent, type StripeEventBuilder } from './stripe-events.js';

/** What `setup` gets: a run number and a unique identity for the run's subject. */
export interface FuzzSetupContext {
  /** 0 for the first run; shrinking runs count on. */
  index: number;
  /** Unique per run: for emails, names, metadata. */
  tag: string;
  /** A unique email for this run's user. */
  email: string;
  /** Builds this subject's Stripe events, with `email` filled in and `created` increasing or, where the fuzzer draws a tie, the same second. */
  stripeEvents: StripeEventBuilder;
}

/** A fresh subject, and the events to deliver: event objects (stored, not yet delivered) or ids of stored events. */
export interface FuzzSetup<S> {
  subject: S;
  events: ReadonlyArray<StripeEvent | Record<string, unknown> | string>;
}

export type QueryFn = <R = Record<string, any>>(sql: string, params?: unknown[]) => Promise<R[]>;

/** What `invariant` gets, once every delivery of the run is done. */
export interface FuzzCheck<S> {
  subject: S;
  /** Which events reached the app and how; `run.expectAppliedOnce`, `run.expectNewestState`. */
  run: RunFacts;
  events: readonly FuzzEvent[];
  deliveries: readonly DeliveryRecord[];
  /** SQL on the app's database (the entitlements probe's). */
  query: QueryFn;
  /** The entitlements probe: how many grants the app has recorded for an email. */
  grants(email: string): Promise<number>;
}

export interface WebhookFuzzOptions<S> extends RunChoices, PlanChoices {
  setup(context: FuzzSetupContext): Promise<FuzzSetup<S>> | FuzzSetup<S>;
  /** Throws (an `expect`, an InvariantViolation) when the app's state is wrong. */
  invariant(check: FuzzCheck<S>): Promise<void> | void;
  /**
   * After a run that cut a delivery off, the longest the app is given to finish it before the
   * invariant is checked (default 500 ms; the wait is twice the run's slowest answer, within
   * this bound). The invariant helpers never need it to be right (a cut-off event counts as
   * "may have taken effect"); it lets late effects of cut-off deliveries show.
   */
  settleMs?: number;
  /** A schedule file (a counterexample) to run once, exactly, instead of generating schedules (VIBES_FUZZ_REPLAY). */
  replaySchedule?: string;
}

/** Where a fuzz runs: the replay server, how to read the app's state, what to do with each subject. */
export interface FuzzEnvironment {
  client: ReplayClient;
  /** The property's name: the default seed is derived from it. */
  name: string;
  config?: FuzzConfig;
  /** Default process.env (VIBES_SEED, VIBES_FUZZ_PATH, VIBES_FUZZ_RUNS, VIBES_FUZZ_REPLAY). */
  env?: NodeJS.ProcessEnv;
  /** The email of run `index` (default `fuzz+<tag>@example.com`). */
  emailFor?(index: number, tag: string): string;
  /** Called before each setup, e.g. to register the subject for cleanup. */
  onSubject?(context: FuzzSetupContext): Promise<void> | void;
  query?: QueryFn;
  grants?(email: string): Promise<number>;
}

export const DEFAULT_SETTLE_MS = 500;
// Scheduling noise on top of the app's own time.
const SETTLE_MARGIN_MS = 20;

/**
 * Property-based testing of a webhook handler over delivery schedules: each run makes a fresh
 * subject with `setup`, fast-check draws how its events are delivered (copies, order, which
 * start together, which are cut off, forged signatures), the replay server delivers them, and
 * `invariant` checks the app's state. Resolves with the result; a counterexample is in it,
 * shrunk. Throws only when the fuzz cannot run (setup or the replay server failing).
 */
export async function fuzzWebhooks<S>(options: WebhookFuzzOptions<S>, environment: FuzzEnvironment): Promise<FuzzResult> {
  const name = options.name ?? environment.name;
  const settings = resolveSettings(options, environment.config ?? {}, environment.env ?? process.env, name);
  const plan = planOptions(options);
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  if (!Number.isInteger(settleMs) || settleMs < 0 || settleMs > 60_000) throw new RangeError(`settleMs must be a whole number of milliseconds from 0 to 60000; got ${settleMs}.`);

  const runner = new ScheduleRunner(options, environment, settleMs);
  if (settings.replaySchedule) return runner.replayFile(name, settings.replaySchedule, settings);
  const planFor = (drawn: DrawnPlan) => (count: number) => resolvePlan(drawn, count, plan);
  const result = await searchCounterexample(name, planArbitrary(plan), (draws) => runner.execute(planFor(draws), sameSecondAs(draws)), settings, {
    // Values that resolve to one schedule and the same ties among the events setup built are one run.
    key: (draws) =>
      runner.eventCount === undefined
        ? JSON.stringify(draws)
        : JSON.stringify([planFor(draws)(runner.eventCount), draws.sameSecond.slice(0, Math.max(0, runner.eventsBuilt - 1))]),
    memoize: true,
  });
  // An app that refuses every genuine delivery satisfies any invariant: nothing took effect, and
  // nothing had to. That is no evidence; it is the bug the matchers call "took no signed delivery".
  const refused = runner.genuineRefusal;
  if (result.passed && refused && runner.genuineAcknowledged === 0) {
    throw new FuzzVacuousError(
      `${name}: in ${plural(result.numRuns, 'run')} the app acknowledged no genuinely signed delivery; each answered got an error ` +
        `(${refused.status ?? refused.error}${refused.response_excerpt ? ` ${JSON.stringify(refused.response_excerpt.slice(0, 160))}` : ''}), so the property held ` +
        "only because nothing took effect. Does the app's webhook verify with the run's STRIPE_WEBHOOK_SECRET, on the raw body?",
    );
  }
  return result;
}

class ScheduleRunner<S> {
  /** How many events setup returns; known after the first run. */
  eventCount: number | undefined;
  /** The most events a setup built with `stripeEvents`: the ties beyond them change nothing. */
  eventsBuilt = 0;
  /** Freshly signed deliveries the app answered 2xx, in every run so far. */
  genuineAcknowledged = 0;
  /** A freshly signed delivery the app answered with an error, for the message when none was acknowledged. */
  genuineRefusal: ScheduledDelivery | undefined;
  private runs = 0;
  private readonly tag = randomBytes(4).toString('hex');

  constructor(
    private readonly options: WebhookFuzzOptions<S>,
    private readonly environment: FuzzEnvironment,
    private readonly settleMs: number,
  ) {}

  /** One run: a fresh subject, its events stored, the plan delivered, the invariant checked. */
  async execute(planFor: (eventCount: number) => DeliveryPlan, sameSecond: (index: number) => boolean): Promise<Execution> {
    const { subject, stored, ties } = await this.setUp(sameSecond);
    const events = stored.map(toFuzzEvent);
    this.eventCount = events.length;
    const plan = planFor(events.length);
    const deliveries = await this.deliver(events, plan);
    const run = new RunFacts(events, deliveries);
    const execution: Execution = { events, raw: stored.map((e) => e.raw), plan, deliveries, sameSecond: ties.ties() };
    try {
      await this.options.invariant({ subject, run, events, deliveries, query: this.query, grants: this.grants });
    } catch (error) {
      execution.error = error ?? new Error('the invariant threw without an error');
    }
    return execution;
  }

  /** Runs a schedule file once against a fresh subject: the test option `replaySchedule`. */
  async replayFile(name: string, file: string, settings: { seed: number; seedSource: string }): Promise<FuzzResult> {
    const schedule = await scheduleFile(file);
    const steps = groupSteps(schedule.steps);
    // The ties the fuzzer drew, in build order; an older file only has its events' `created`.
    const created = schedule.events.map((event) => event.created);
    const ties = schedule.header.sameSecond;
    const sameSecond = ties ? sameSecondAs({ sameSecond: ties }) : (index: number) => created[index] !== undefined && created[index] === created[index - 1];
    const start = performance.now();
    const execution = await this.execute((count) => {
      const beyond = schedule.steps.find((step) => step.event >= count);
      if (beyond) throw new FuzzSetupError(`${file} delivers event #${beyond.event}, but setup returned ${count} events: the schedule belongs to a setup that returns more.`);
      return steps.map((group) => group.map(({ event, signature, cutOff }) => ({ event, signature, cutOff })));
    }, sameSecond);
    const elapsed = performance.now() - start;
    const failed = execution.error !== undefined;
    const pinned = { name, seed: schedule.header.seed ?? settings.seed, path: schedule.header.path };
    return {
      ...pinned,
      passed: !failed,
      seedSource: `the schedule file ${file}`,
      numRuns: 1,
      numShrinks: 0,
      executions: 1,
      firstFailureMs: failed ? elapsed : undefined,
      durationMs: elapsed,
      counterexample: failed ? describeExecution(execution, pinned) : undefined,
    };
  }

  private async setUp(sameSecond: (index: number) => boolean): Promise<{ subject: S; stored: EventDetail[]; ties: TieRecorder }> {
    const index = this.runs++;
    const tag = `${this.tag}r${index}`;
    const email = this.environment.emailFor?.(index, tag) ?? `fuzz+${tag}@example.com`;
    const ties = new TieRecorder(sameSecond);
    const context: FuzzSetupContext = { index, tag, email, stripeEvents: stripeEvents({ email, sameSecond: ties.sameSecond }) };
    await this.environment.onSubject?.(context);
    const { subject, events } = await this.options.setup(context);
    if (!Array.isArray(events) || events.length === 0) throw new FuzzSetupError('setup must return { subject, events } with at least one event (an event object, or the id of a stored one).');
    const stored = await Promise.all(events.map((event) => this.store(event)));
    this.eventsBuilt = Math.max(this.eventsBuilt, ties.built);
    return { subject, stored, ties };
  }

  /** An object is stored without being delivered, so the schedule's deliveries are its first ones. */
  private async store(event: StripeEvent | Record<string, unknown> | string): Promise<EventDetail> {
    const { client } = this.environment;
    try {
      return typeof event === 'string' ? await client.getEvent(event) : await client.inject(event as Record<string, unknown>, { deliver: false });
    } catch (error) {
      const what = typeof event === 'string' ? `event ${event}` : `a ${String((event as { type?: unknown }).type ?? 'untyped')} event`;
      throw new FuzzSetupError(`could not store ${what} on the replay server: ${(error as Error).message}`, { cause: error });
    }
  }

  private async deliver(events: FuzzEvent[], plan: DeliveryPlan): Promise<DeliveryRecord[]> {
    if (plan.length === 0) return [];
    const groups = plan.map((group) => group.map((d) => ({ event: events[d.event]!.id, signature: d.signature, cutOff: d.cutOff })));
    let delivered: ScheduledDelivery[];
    try {
      const result = await this.environment.client.runSchedule({ groups });
      if (result.stopped) throw new Error(`it stopped after ${result.deliveries.length} deliveries: ${result.stopped.reason}`);
      delivered = result.deliveries;
    } catch (error) {
      const hint = error instanceof ReplayServerError && error.code === 'no_secret' ? ' (start the replay server with the webhook secret your app verifies with)' : '';
      throw new FuzzSetupError(`the replay server could not run the schedule: ${(error as Error).message}${hint}`, { cause: error });
    }
    for (const d of delivered) {
      if (d.signature !== 'fresh' || d.cut_off) continue;
      if (isAccepted(d)) this.genuineAcknowledged++;
      else this.genuineRefusal ??= d;
    }
    const planned = plan.flat();
    const records = delivered.map(
      (d, i): DeliveryRecord => ({ group: d.group, event: planned[i]!.event, signature: d.signature, cutOff: d.cut_off, status: d.status, error: d.error, latency_ms: d.latency_ms }),
    );
    await this.settle(delivered);
    return records;
  }

  /**
   * Lets the app finish what it was cut off from before the invariant looks: a cut-off delivery
   * takes about as long as the answered ones, so the wait is twice the run's slowest answer
   * (at most settleMs, and settleMs when nothing was answered), counted from the last cut-off.
   */
  private async settle(deliveries: ScheduledDelivery[]): Promise<void> {
    const cut = deliveries.filter((d) => d.error === CUT_OFF_ERROR);
    if (cut.length === 0 || this.settleMs === 0) return;
    const answered = deliveries.flatMap((d) => (d.latency_ms === null ? [] : [d.latency_ms]));
    const wait = answered.length === 0 ? this.settleMs : Math.min(this.settleMs, 2 * Math.max(...answered) + SETTLE_MARGIN_MS);
    const last = (list: ScheduledDelivery[]) => Math.max(...list.map((d) => Date.parse(d.started_at)));
    const since = last(deliveries) - last(cut);
    if (since < wait) await sleep(wait - since);
  }

  private readonly query: QueryFn = (sql, params) => {
    if (!this.environment.query) throw new Error('no database to query: give fuzzWebhooks a `query` in its environment, or use `webhooks.fuzz`, which queries the app database as `db` does.');
    return this.environment.query(sql, params);
  };

  private readonly grants = (email: string): Promise<number> => {
    if (!this.environment.grants) throw new Error('no entitlements probe: configure entitlements in defineVibesConfig.');
    return this.environment.grants(email);
  };
}

/** The schedule file, or a FuzzSetupError that names what is wrong with it. */
async function scheduleFile(file: string): Promise<ScheduleFile> {
  try {
    return await readScheduleFile(file);
  } catch (error) {
    throw error instanceof ScheduleFileError ? new FuzzSetupError(error.message) : error;
  }
}

function toFuzzEvent(detail: EventDetail, index: number): FuzzEvent {
  const data = detail.payload.data as { object?: Record<string, unknown> } | undefined;
  return { index, id: detail.id, type: detail.type, created: detail.created, object: data?.object ?? {}, payload: detail.payload };
}
