import { randomBytes } from 'node:crypto';
import { randomWebhookSecret } from '../../core/index.js';
import fc from 'fast-check';
import Stripe from 'stripe';
import { CUT_OFF_ERROR, type SignatureMode } from '../../replay-server/index.js';
import { RunFacts, type DeliveryRecord, type FuzzEvent } from './facts.js';
import { planArbitrary, planOptions, resolvePlan, sameSecondAs, TieRecorder, type DeliveryPlan, type DrawnPlan, type PlanChoices } from './plan.js';
import { FuzzSetupError, searchCounterexample, type Execution, type FuzzResult } from './search.js';
import { resolveSettings, type FuzzConfig, type RunChoices } from './settings.js';
import { stripeEvents, type StripeEvent, type StripeEventBuilder } from './stripe-events.js';

/** The request a handler gets in process: the exact body and the headers, as a webhook carries them. */
export interface InProcessRequest {
  body: string;
  headers: Record<string, string>;
}

/** An object of async functions (a store, a mailer): the handler's awaits on them are what the scheduler interleaves. */
export type AsyncFunctions<D> = { [K in keyof D]: (...args: any[]) => Promise<unknown> };

export interface HandlerSetupContext {
  index: number;
  tag: string;
  email: string;
  stripeEvents: StripeEventBuilder;
  /** The signing secret the copies are signed with; give it to your handler. */
  secret: string;
}

export interface HandlerFuzzOptions<S, D extends AsyncFunctions<D>> extends RunChoices, PlanChoices {
  /**
   * A fresh subject, its events and the handler's dependencies (a store, a mailer): async
   * functions, each call of which becomes a point where fast-check's scheduler decides who goes on.
   */
  setup(context: HandlerSetupContext): Promise<{ subject: S; events: StripeEvent[]; deps: D }> | { subject: S; events: StripeEvent[]; deps: D };
  /**
   * Your webhook handler, called in process. Resolving is a 2xx answer (a number resolves as that
   * status); throwing is an error answer, as a 500 would be.
   */
  handler(request: InProcessRequest, deps: D): Promise<unknown>;
  invariant(check: { subject: S; deps: D; run: RunFacts; events: readonly FuzzEvent[]; deliveries: readonly DeliveryRecord[] }): Promise<void> | void;
  /** The signing secret (default a random one, given to setup). */
  secret?: string;
  config?: FuzzConfig;
  /** Default process.env (VIBES_SEED, VIBES_FUZZ_PATH, VIBES_FUZZ_RUNS). */
  env?: NodeJS.ProcessEnv;
}

const signer = Stripe.webhooks;
// Past Stripe's tolerance, as the replay server's `stale` is.
const STALE_SECONDS = signer.DEFAULT_TOLERANCE + 120;

/**
 * The cheap mode, for a handler that can be called in process: no HTTP, no database, each run
 * in microseconds. Deliveries are the same plans as `webhooks.fuzz` draws (copies, order,
 * groups, cut-offs, forged signatures), but the copies of a group run as concurrent calls whose
 * awaits on `deps` are ordered by `fc.scheduler()`: fast-check explores the interleavings and
 * shrinks to the one that breaks the invariant. A cut-off copy is not waited for: it goes on
 * while later groups run, as a request Stripe gave up on does.
 */
export async function fuzzHandler<S, D extends AsyncFunctions<D>>(options: HandlerFuzzOptions<S, D>): Promise<FuzzResult> {
  const name = options.name ?? 'fuzzHandler';
  const settings = resolveSettings(options, options.config ?? {}, options.env ?? process.env, name);
  const plan = planOptions(options);
  const secret = options.secret ?? randomWebhookSecret();
  const tag = randomBytes(4).toString('hex');
  let runs = 0;

  const execute = async ([drawn, scheduler]: [DrawnPlan, fc.Scheduler]): Promise<Execution> => {
    const index = runs++;
    const email = `fuzz+${tag}r${index}@example.com`;
    let prepared: Awaited<ReturnType<typeof options.setup>>;
    const ties = new TieRecorder(sameSecondAs(drawn));
    try {
      prepared = await options.setup({ index, tag: `${tag}r${index}`, email, stripeEvents: stripeEvents({ email, sameSecond: ties.sameSecond }), secret });
    } catch (error) {
      throw new FuzzSetupError(`${name}: setup threw: ${(error as Error)?.message ?? error}`, { cause: error });
    }
    const { subject, deps } = prepared;
    if (prepared.events.length === 0) throw new FuzzSetupError(`${name}: setup must return at least one event.`);
    const raw = prepared.events.map((event) => JSON.stringify(event, null, 2));
    const events = prepared.events.map((event, i): FuzzEvent => ({ index: i, id: event.id, type: event.type, created: event.created, object: event.data.object, payload: event as unknown as Record<string, unknown> }));
    const deliveryPlan = resolvePlan(drawn, events.length, plan);
    const deliveries = await deliverInProcess(deliveryPlan, raw, scheduled(deps, scheduler), scheduler, options.handler, secret);
    const run = new RunFacts(events, deliveries);
    const execution: Execution = { events, raw, plan: deliveryPlan, deliveries, sameSecond: ties.ties(), details: `fast-check's scheduler, in the order it ran the handlers' awaits:\n${String(scheduler)}` };
    try {
      await options.invariant({ subject, deps, run, events, deliveries });
    } catch (error) {
      execution.error = error ?? new Error('the invariant threw without an error');
    }
    return execution;
  };
  // The scheduler is stateful and not JSON: a run is known by its draws alone.
  return searchCounterexample(name, fc.tuple(planArbitrary(plan), fc.scheduler()), execute, settings, { key: ([drawn]) => JSON.stringify(drawn) });
}

/** Every dependency call goes through the scheduler, so it is a point where another copy may run first. */
function scheduled<D extends AsyncFunctions<D>>(deps: D, scheduler: fc.Scheduler): D {
  return Object.fromEntries(Object.entries(deps).map(([key, fn]) => [key, scheduler.scheduleFunction(fn as (...args: unknown[]) => Promise<unknown>)])) as D;
}

async function deliverInProcess<D>(
  plan: DeliveryPlan,
  raw: readonly string[],
  deps: D,
  scheduler: fc.Scheduler,
  handler: (request: InProcessRequest, deps: D) => Promise<unknown>,
  secret: string,
): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = [];
  const running: Promise<unknown>[] = [];
  for (const [g, group] of plan.entries()) {
    const answered: Promise<unknown>[] = [];
    for (const delivery of group) {
      // A cut-off copy's answer is never read, whatever it turns out to be.
      const record: DeliveryRecord = { group: g, event: delivery.event, signature: delivery.signature, cutOff: delivery.cutOff, status: null, error: delivery.cutOff ? CUT_OFF_ERROR : null, latency_ms: null };
      records.push(record);
      const request = { body: raw[delivery.event]!, headers: headersFor(raw[delivery.event]!, delivery.signature, secret) };
      const call = Promise.resolve()
        .then(() => handler(request, deps))
        .then(
          (answer) => {
            if (!delivery.cutOff) record.status = typeof answer === 'number' ? answer : 200;
          },
          (error: unknown) => {
            if (delivery.cutOff) return;
            record.status = 500;
            record.error = `threw: ${(error as Error)?.message ?? error}`;
          },
        );
      running.push(call);
      if (!delivery.cutOff) answered.push(call);
    }
    await scheduler.waitFor(Promise.all(answered));
  }
  await scheduler.waitFor(Promise.all(running));
  return records;
}

function headersFor(body: string, mode: SignatureMode, secret: string): Record<string, string> {
  const now = Math.floor(Date.now() / 1000);
  const sign = (key: string, timestamp: number) => signer.generateTestHeaderString({ payload: body, secret: key, timestamp });
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  switch (mode) {
    case 'fresh':
    case 'original':
      headers['stripe-signature'] = sign(secret, now);
      break;
    case 'stale':
      headers['stripe-signature'] = sign(secret, now - STALE_SECONDS);
      break;
    case 'future':
      headers['stripe-signature'] = sign(secret, now + STALE_SECONDS);
      break;
    case 'wrong-secret':
      headers['stripe-signature'] = sign(randomWebhookSecret(), now);
      break;
    case 'missing':
      break;
  }
  return headers;
}
