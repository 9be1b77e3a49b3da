import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import { isRecord } from '../core/index.js';
import { parseJsonBody, readBody } from './body.js';
import { openConnections } from './deliver.js';
import { ApiError, badRequest } from './errors.js';
import { prepareCopy, sendCopy, type Copy } from './forward.js';
import { parseTarget, type ReplayContext } from './replay.js';
import { callerGone, RunLimit, type StopCause, type Stopped } from './run-limit.js';
import { signingProblem } from './signing.js';
import type { EventForReplay } from './store.js';
import { isSignatureMode, SIGNATURE_MODES, type Delivery, type SignatureMode } from './types.js';

export const MAX_SCHEDULE_STEPS = 1000;
export const MAX_GROUP_SIZE = 100;

/** One delivery of a schedule. */
export interface ScheduleStep {
  /** A stored event's id (`evt_…`). */
  event: string;
  /** Default `fresh`. */
  signature?: SignatureMode;
  /**
   * Destroy the connection once the whole body is sent, without reading the answer: Stripe's
   * timeout, after which it retries. Recorded with the error `cut off`. Default false.
   */
  cutOff?: boolean;
}

/** The body of `POST /api/schedules`: groups run one after another, a group's steps start together. */
export interface Schedule {
  groups: ScheduleStep[][];
  /** Default: the server's forward target. */
  target?: string;
}

export interface ScheduledDelivery extends Delivery {
  /** Index of the step's group, and of the step within it. */
  group: number;
  step: number;
  cut_off: boolean;
}

export interface ScheduleResult {
  /** Every delivery, in schedule order. */
  deliveries: ScheduledDelivery[];
  /** Largest gap between the first and last start within one group. */
  start_spread_ms: number;
  /** The `batch` of every delivery of this schedule (`sch_…`). */
  batch: string;
  /** Why later groups were left unsent (the run limit passed, the caller hung up); null when every step went. */
  stopped: Stopped | null;
}

interface ValidStep {
  event: string;
  signature: SignatureMode;
  cutOff: boolean;
}

interface ValidSchedule {
  groups: ValidStep[][];
  target: URL | undefined;
}

/** `POST /api/schedules`: validates the whole schedule (nothing is sent if any of it is wrong), then runs it. */
export function scheduleRoute(context: ReplayContext, bodyLimit: number): RequestHandler {
  return async (req, res) => {
    const schedule = parseSchedule(parseJsonBody(await readBody(req, bodyLimit), '{"groups": [[{"event": "evt_…"}]]}'));
    res.json(await runSchedule(schedule, context, callerGone(res)));
  };
}

/** Validates a schedule body; every problem names where it is (`groups[1][0].signature`) and what is accepted. */
export function parseSchedule(body: unknown): ValidSchedule {
  const invalid = (message: string) => badRequest('invalid_schedule', message);
  const example = '{"groups": [[{"event": "evt_…"}], [{"event": "evt_…", "signature": "stale"}, {"event": "evt_…", "cutOff": true}]]}';
  if (!isRecord(body)) throw invalid(`the body must be a JSON object such as ${example}.`);
  rejectUnknown(body, ['groups', 'target'], 'the schedule', invalid);
  const { groups } = body;
  if (!Array.isArray(groups) || groups.length === 0) throw invalid(`"groups" must be a non-empty array of groups of steps, e.g. ${example}.`);
  let total = 0;
  const valid = groups.map((group, g) => {
    if (!Array.isArray(group) || group.length === 0) throw invalid(`groups[${g}] must be a non-empty array of steps.`);
    if (group.length > MAX_GROUP_SIZE) throw invalid(`groups[${g}] has ${group.length} steps; a group starts at most ${MAX_GROUP_SIZE} together.`);
    total += group.length;
    if (total > MAX_SCHEDULE_STEPS) throw invalid(`the schedule has over ${MAX_SCHEDULE_STEPS} steps; split it into several schedules.`);
    return group.map((step, s) => parseStep(step, `groups[${g}][${s}]`, invalid));
  });
  return { groups: valid, target: parseTarget(body.target) };
}

function parseStep(step: unknown, where: string, invalid: (message: string) => ApiError): ValidStep {
  if (!isRecord(step)) throw invalid(`${where} must be an object such as {"event": "evt_…", "signature": "fresh", "cutOff": false}.`);
  rejectUnknown(step, ['event', 'signature', 'cutOff'], where, invalid);
  const { event, signature = 'fresh', cutOff = false } = step;
  if (typeof event !== 'string' || event === '') throw invalid(`${where}.event must be the id of a stored event ("evt_…").`);
  if (!isSignatureMode(signature)) {
    throw invalid(`${where}.signature must be one of ${SIGNATURE_MODES.join(', ')}; got ${JSON.stringify(signature)}.`);
  }
  if (typeof cutOff !== 'boolean') throw invalid(`${where}.cutOff must be true or false; got ${JSON.stringify(cutOff)}.`);
  return { event, signature: signature as SignatureMode, cutOff };
}

function rejectUnknown(value: Record<string, unknown>, known: string[], where: string, invalid: (message: string) => ApiError): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw invalid(`unknown field ${unknown.map((k) => `"${k}"`).join(', ')} in ${where}; use ${known.join(', ')}.`);
}

/**
 * Runs a schedule: its groups one after another, each group's steps started together (connections
 * opened and signatures computed first, as in a replay burst), each group finished (answered or
 * cut off) before the next starts. Every event is looked up, and every signature mode checked,
 * before the first request leaves.
 */
export async function runSchedule(schedule: ValidSchedule, context: ReplayContext, caller?: AbortSignal): Promise<ScheduleResult> {
  const target = schedule.target ?? context.forwardTo;
  if (!target) {
    throw badRequest('no_target', 'no target to deliver to: start the server with --forward-to <url> or pass "target" in the schedule.');
  }
  const steps = schedule.groups.flat();
  for (const mode of new Set(steps.map((step) => step.signature))) {
    const problem = signingProblem(mode, context.secret);
    if (problem) throw badRequest('no_secret', problem);
  }
  const events = await loadEvents(steps.map((step) => step.event), context);

  const batch = `sch_${randomBytes(12).toString('base64url')}`;
  const sent: Array<Omit<ScheduledDelivery, 'id'>> = [];
  const limit = new RunLimit(context.runLimitMs, { caller, stopping: context.stopping });
  let spread = 0;
  let stopped: { cause: StopCause; reason: string } | null = null;
  for (const [g, group] of schedule.groups.entries()) {
    if ((stopped = limit.stop(g > 0))) break;
    const copies: Copy[] = group.map((step) => ({ event: events.get(step.event)!, target, signature: step.signature, kind: 'replay', batch, cutOff: step.cutOff }));
    const results = copies.length === 1 ? [await sendCopy(copies[0]!, context)] : await sendGroup(copies, target, context);
    results.forEach(({ delivery }, s) => sent.push({ ...delivery, group: g, step: s, cut_off: group[s]!.cutOff }));
    const flushed = results.map((r) => r.outcome.flushedAt).filter((t) => Number.isFinite(t));
    if (flushed.length > 1) spread = Math.max(spread, Math.max(...flushed) - Math.min(...flushed));
  }
  const named = await context.store.recordDeliveries(sent.map(({ group: _g, step: _s, cut_off: _c, ...delivery }) => delivery));
  const deliveries = named.map((delivery, i) => ({ ...delivery, group: sent[i]!.group, step: sent[i]!.step, cut_off: sent[i]!.cut_off }));
  return {
    deliveries,
    start_spread_ms: Math.round(spread * 1000) / 1000,
    batch,
    stopped: stopped === null ? null : { ...stopped, not_sent: steps.length - deliveries.length },
  };
}

async function loadEvents(ids: string[], context: ReplayContext): Promise<Map<string, EventForReplay>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => context.store.forReplay(id)));
  const missing = unique.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    throw new ApiError(404, 'event_not_found', `no event ${missing.join(', ')} is stored; inject it first (POST /api/events, "deliver": false) or list events with GET /api/events. Nothing was sent.`);
  }
  return new Map(unique.map((id, i) => [id, found[i]!]));
}

async function sendGroup(copies: Copy[], target: URL, context: ReplayContext) {
  const connections = await openConnections(target, copies.length, context.forwardTimeoutMs);
  const prepared = copies.map((copy) => prepareCopy(copy, context));
  // Started in one synchronous loop: nothing else runs between the first copy and the last.
  return Promise.all(copies.map((copy, i) => sendCopy(copy, context, prepared[i], connections[i])));
}
