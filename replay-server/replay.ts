import { randomBytes } from 'node:crypto';
import { httpUrl, isRecord } from '../core/index.js';
import { openConnections } from './deliver.js';
import { badRequest, eventNotFound } from './errors.js';
import { prepareCopy, sendCopy, type Copy, type DeliveryContext } from './forward.js';
import { RunLimit, type StopCause } from './run-limit.js';
import { signingProblem } from './signing.js';
import type { ReplayStore } from './store.js';
import { isSignatureMode, SIGNATURE_MODES, type Delivery, type ReplayResult, type SignatureMode } from './types.js';

const MAX_TIMES = 1000;
const MAX_SPACING_MS = 60_000;
const MAX_TOTAL_SPACING_MS = 300_000;

export interface ValidReplay {
  times: number;
  concurrency: number;
  spacingMs: number;
  signature: SignatureMode;
  target: URL | undefined;
}

/** Validates a replay request body; every problem is named with its accepted range. */
export function parseReplayOptions(body: unknown): ValidReplay {
  if (body === undefined || body === null) body = {};
  if (!isRecord(body)) throw badRequest('invalid_replay', 'the body must be a JSON object such as {"times": 2}.');
  const known = ['times', 'concurrency', 'spacingMs', 'signature', 'target'];
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) throw badRequest('invalid_replay', `unknown replay option ${unknown.map((k) => `"${k}"`).join(', ')}; use ${known.join(', ')}.`);

  const times = readBoundedInt(body.times, 'times', 1, 1, MAX_TIMES);
  const concurrency = readBoundedInt(body.concurrency, 'concurrency', 1, 1, times);
  const spacingMs = readBoundedInt(body.spacingMs, 'spacingMs', 0, 0, MAX_SPACING_MS);
  const waves = Math.ceil(times / concurrency);
  if ((waves - 1) * spacingMs > MAX_TOTAL_SPACING_MS) {
    throw badRequest('invalid_replay', `the replay would take over ${MAX_TOTAL_SPACING_MS / 1000} s of spacing; use fewer times or a smaller spacingMs.`);
  }
  const signature = body.signature ?? 'fresh';
  if (!isSignatureMode(signature)) {
    throw badRequest('invalid_replay', `signature must be one of ${SIGNATURE_MODES.join(', ')}; got ${JSON.stringify(signature)}.`);
  }
  return { times, concurrency, spacingMs, signature, target: parseTarget(body.target) };
}

function readBoundedInt(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badRequest('invalid_replay', `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function parseTarget(value: unknown): URL | undefined {
  if (value === undefined) return undefined;
  const url = httpUrl(value);
  if (!url) {
    throw badRequest('invalid_target', `target must be an http(s) URL such as http://127.0.0.1:3000/api/stripe/webhook; got ${JSON.stringify(value)}.`);
  }
  return url;
}

/**
 * A target as callers without the token may see it (the health check, capture's answers to the
 * sender): no credentials and no query, where an app's webhook URL may carry a key.
 */
export function publicTarget(target: URL | string): string {
  const url = new URL(target);
  return `${url.origin}${url.pathname}${url.search ? '?…' : ''}`;
}

export interface ReplayContext extends DeliveryContext {
  store: ReplayStore;
  forwardTo: URL | undefined;
  /** How long a replay or schedule may go on starting copies (see RunLimit). */
  runLimitMs: number;
  /** Aborted when the server begins to stop: replays and schedules start nothing more. */
  stopping: AbortSignal;
}

/**
 * Delivers a stored event again, in waves of `concurrency` copies. A wave's connections are
 * opened and its signatures computed before any copy is sent, so the copies leave together:
 * the smaller their start spread, the likelier they race inside the app.
 */
export async function replayEvent(id: string, options: ValidReplay, context: ReplayContext, caller?: AbortSignal): Promise<ReplayResult> {
  const target = options.target ?? context.forwardTo;
  if (!target) {
    throw badRequest('no_target', 'no target to replay to: start the server with --forward-to <url> or pass "target" in the replay body.');
  }
  const problem = signingProblem(options.signature, context.secret);
  if (problem) throw badRequest('no_secret', problem);
  const event = await context.store.forReplay(id);
  if (!event) throw eventNotFound(id);

  const copy: Copy = { event, target, signature: options.signature, kind: 'replay', batch: `rpl_${randomBytes(12).toString('base64url')}` };
  const deliveries: Delivery[] = [];
  const limit = new RunLimit(context.runLimitMs, { caller, stopping: context.stopping });
  let spread = 0;
  let stopped: { cause: StopCause; reason: string } | null = null;
  for (let done = 0; done < options.times; done += options.concurrency) {
    if ((stopped = limit.stop(done > 0))) break;
    const waveStart = Date.now();
    const size = Math.min(options.concurrency, options.times - done);
    const wave = size === 1 ? [await sendCopy(copy, context)] : await sendWave(copy, size, context);
    // Recorded wave by wave: what reached the app is kept even if the server stops mid-replay.
    deliveries.push(...(await context.store.recordDeliveries(wave.map((w) => w.delivery))));
    const flushed = wave.map((w) => w.outcome.flushedAt).filter((t) => Number.isFinite(t));
    if (flushed.length > 1) spread = Math.max(spread, Math.max(...flushed) - Math.min(...flushed));
    if (done + size < options.times && options.spacingMs > 0) await limit.pause(waveStart + options.spacingMs - Date.now());
  }
  return {
    deliveries,
    start_spread_ms: Math.round(spread * 1000) / 1000,
    stopped: stopped === null ? null : { ...stopped, not_sent: options.times - deliveries.length },
  };
}

async function sendWave(copy: Copy, size: number, context: ReplayContext) {
  const connections = await openConnections(copy.target, size, context.forwardTimeoutMs);
  const prepared = connections.map(() => prepareCopy(copy, context));
  // Started in one synchronous loop: nothing else runs between the first copy and the last.
  return Promise.all(connections.map((connection, i) => sendCopy(copy, context, prepared[i], connection)));
}
