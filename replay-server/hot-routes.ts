import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { readBody, parseJsonBody, requireBody } from './body.js';
import { captureEvent, forwardFailure } from './capture.js';
import { badRequest, sendError, sendJson } from './errors.js';
import { parseEventBody } from './event-body.js';
import { flattenHeaders } from './headers.js';
import type { InFlight } from './in-flight.js';
import { parseReplayOptions, replayEvent, type ReplayContext } from './replay.js';
import { callerGone } from './run-limit.js';

export interface HotRouteContext {
  capture: ReplayContext;
  bodyLimit: number;
  /** Refuses an /api call from a web page, or without the token (see `apiCallCheck`). */
  checkApiCall: (headers: IncomingHttpHeaders) => void;
  inFlight: InFlight;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The two routes on the hot path (capture, replay) served straight from node:http: every
 * microsecond the server spends shows in the app's latency and in a burst's spread. Returns
 * false for any other request, which the express app then serves.
 */
export function hotRoutes(context: HotRouteContext): (req: IncomingMessage, res: ServerResponse) => boolean {
  const capture = captureHandler(context);
  const replay = replayHandler(context);
  const run = (handler: Handler, req: IncomingMessage, res: ServerResponse): true => {
    void context.inFlight.track(handler(req, res).catch((error: unknown) => sendError(res, error)));
    return true;
  };
  return (req, res) => {
    if (req.method !== 'POST' || !req.url) return false;
    const path = req.url.split('?', 1)[0]!.replace(/\/+$/, '');
    if (path === '/webhooks/stripe') return run(capture, req, res);
    const match = /^\/api\/events\/([^/]+)\/replay$/.exec(path);
    if (match) return run((rq, rs) => replay(rq, rs, match[1]!), req, res);
    return false;
  };
}

function captureHandler({ capture: context, bodyLimit }: HotRouteContext): Handler {
  return async (req, res) => {
    const raw = requireBody(await readBody(req, bodyLimit));
    const receivedAt = new Date();
    const parsed = parseEventBody(raw);
    const outcome = await captureEvent({ raw, parsed, headers: flattenHeaders(req.headers), source: 'captured', receivedAt }, context);
    if (outcome.delivery === null) return sendJson(res, 200, { received: true, id: parsed.fields.id, signature: outcome.signature });
    if (outcome.response === null) throw forwardFailure(outcome.delivery, outcome.timedOut);
    // The sender (Stripe, `stripe listen`) sees what the app answered, as if it had called it.
    const { status, body, contentType } = outcome.response;
    const bytes = body ?? Buffer.alloc(0);
    res.writeHead(status, { ...(contentType ? { 'content-type': contentType } : {}), 'content-length': bytes.length });
    res.end(bytes);
  };
}

function replayHandler({ capture: context, bodyLimit, checkApiCall }: HotRouteContext) {
  return async (req: IncomingMessage, res: ServerResponse, encodedId: string) => {
    checkApiCall(req.headers);
    let id: string;
    try {
      id = decodeURIComponent(encodedId);
    } catch {
      throw badRequest('invalid_id', `"${encodedId}" is not a valid event id.`);
    }
    const options = parseReplayOptions(parseJsonBody(await readBody(req, bodyLimit)));
    sendJson(res, 200, await replayEvent(id, options, context, callerGone(res)));
  };
}
