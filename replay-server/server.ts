import http from 'node:http';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type pg from 'pg';
import { listen } from '../core/index.js';
import { requireBearer, tokenPolicy } from './auth.js';
import { captureEvent, forwardFailure, type CaptureContext } from './capture.js';
import { ApiError, badRequest, eventNotFound } from './errors.js';
import { parseEventBody } from './event-body.js';
import { DEFAULT_LIMIT, parseFilters } from './filters.js';
import { flattenHeaders } from './headers.js';
import { parseInjection } from './inject.js';
import { exportEvents, importEvents } from './ndjson.js';
import { parseReplayOptions, parseTarget, replayEvent } from './replay.js';
import { migrateReplaySchema } from './schema.js';
import { ReplayStore } from './store.js';
import type { ErrorBody, Health } from './types.js';

export interface ReplayServerOptions {
  /** Default 127.0.0.1. Any other interface needs a token. */
  host?: string;
  /** Default 0: a free port (see `url`). */
  port?: number;
  /** The app's webhook endpoint. Without it, captured events are stored but not forwarded. */
  forwardTo?: string;
  /** The webhook signing secret (`whsec_…`): verifies what arrives and signs what leaves. */
  secret?: string;
  /** Every /api call must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Default: true when a token is given or the host is not loopback. */
  requireToken?: boolean;
  pool: pg.Pool;
  /** Largest webhook or API body accepted; default 1 MiB. */
  bodyLimitBytes?: number;
  /** How long a forward or replay waits for the app; default 10 s. */
  forwardTimeoutMs?: number;
}

export interface ReplayServer {
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
// Imports carry many events in one body.
const IMPORT_LIMIT_FACTOR = 64;

/** Starts the capture-and-replay server; it migrates its tables first. */
export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const host = options.host ?? '127.0.0.1';
  const token = tokenPolicy(host, options.token, options.requireToken);
  const forwardTo = options.forwardTo === undefined ? undefined : parseTarget(options.forwardTo);
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw new Error(`bodyLimitBytes must be a positive whole number, got ${bodyLimit}.`);
  await migrateReplaySchema(options.pool);

  const store = new ReplayStore(options.pool);
  const context: CaptureContext = {
    store,
    forwardTo,
    secret: options.secret || undefined,
    forwardTimeoutMs: options.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
  };
  const app = createApp({ context, token, bodyLimit, pool: options.pool });
  const server = http.createServer(app);
  // Stripe and the test client both reuse connections; keep them longer than their idle timeouts.
  server.keepAliveTimeout = 65_000;
  const listening = await listen(server, { host, port: options.port ?? 0 });
  return {
    url: listening.url,
    async close() {
      await listening.close();
      await store.settled();
    },
  };
}

function createApp({ context, token, bodyLimit, pool }: { context: CaptureContext; token?: string; bodyLimit: number; pool: pg.Pool }) {
  const { store } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Exact bytes: any content type, never inflated, so what is stored is what was signed.
  const rawBody = (limit: number) => express.raw({ type: () => true, limit, inflate: false });

  app.get('/healthz', async (_req, res) => {
    await pool.query('select 1');
    const health: Health = { ok: true, forward_to: context.forwardTo?.toString() ?? null, signing: context.secret !== undefined };
    res.json(health);
  });

  app.post('/webhooks/stripe', rawBody(bodyLimit), async (req, res) => {
    const raw = bodyOf(req);
    const parsed = parseEventBody(raw);
    const outcome = await captureEvent(
      { raw, parsed, headers: flattenHeaders(req.headers), source: 'captured', receivedAt: new Date() },
      context,
    );
    if (outcome.delivery === null) return void res.json({ received: true, id: parsed.fields.id, signature: outcome.signature });
    if (outcome.response === null) throw forwardFailure(outcome.delivery);
    // The sender (Stripe, `stripe listen`) sees what the app answered, as if it had called it.
    const { status, body, contentType } = outcome.response;
    if (contentType) res.type(contentType);
    res.status(status).send(body ?? Buffer.alloc(0));
  });

  const api = express.Router();
  if (token) api.use(requireBearer(token));

  api.get('/events', async (req, res) => {
    res.json(await store.list(parseFilters(req.query, { defaultLimit: DEFAULT_LIMIT })));
  });

  api.post('/events', rawBody(bodyLimit), async (req, res) => {
    const { raw, parsed, headers } = parseInjection(bodyOf(req));
    await captureEvent({ raw, parsed, headers, source: 'injected', receivedAt: new Date() }, context);
    res.status(201).json(await store.get(parsed.fields.id));
  });

  api.get('/events/:id', async (req, res) => {
    const event = await store.get(String(req.params.id));
    if (!event) throw eventNotFound(String(req.params.id));
    res.json(event);
  });

  api.post('/events/:id/replay', rawBody(bodyLimit), async (req, res) => {
    const body = req.body instanceof Buffer && req.body.length > 0 ? parseJson(req.body) : {};
    const options = parseReplayOptions(body);
    res.json(await replayEvent(String(req.params.id), options, context));
  });

  api.get('/export', async (req, res) => {
    const filters = parseFilters(req.query);
    res.type('application/x-ndjson');
    await exportEvents(pool, (chunk) => res.write(chunk), filters);
    res.end();
  });

  api.post('/import', rawBody(bodyLimit * IMPORT_LIMIT_FACTOR), async (req, res) => {
    res.json(await importEvents(pool, bodyOf(req).toString('utf8')));
  });

  app.use('/api', api);
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}; webhooks go to POST /webhooks/stripe, the API is under /api/events.`)));
  app.use(errorHandler(bodyLimit));
  return app;
}

function bodyOf(req: Request): Buffer {
  if (!(req.body instanceof Buffer) || req.body.length === 0) throw badRequest('empty_body', 'the body is empty; send the event as JSON.');
  return req.body;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('invalid_json', 'the body is not valid JSON; send an object such as {"times": 2}.');
  }
}

function errorHandler(bodyLimit: number): ErrorRequestHandler {
  return (error, _req, res: Response, _next) => {
    const status = errorStatus(error);
    const body: ErrorBody = { error: { message: errorMessage(error, bodyLimit), code: errorCode(error) } };
    // A failed forward is an answer, not a fault; anything unexpected is logged for the operator.
    if (status >= 500 && !(error instanceof ApiError)) console.error(`replay-server: ${(error as Error)?.stack ?? error}`);
    if (res.headersSent) return void res.destroy();
    res.status(status).json(body);
  };
}

/** body-parser's errors carry a `type` and a 4xx status; everything unexpected is a 500. */
function errorStatus(error: unknown): number {
  if (error instanceof ApiError) return error.status;
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
}

function errorCode(error: unknown): string {
  if (error instanceof ApiError) return error.code;
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') return 'body_too_large';
  if (type === 'encoding.unsupported') return 'encoding_unsupported';
  return errorStatus(error) < 500 ? 'bad_request' : 'internal_error';
}

function errorMessage(error: unknown, bodyLimit: number): string {
  const type = (error as { type?: unknown })?.type;
  if (type === 'entity.too.large') {
    return `the body is over the limit of ${bodyLimit} bytes; raise it with --body-limit (bodyLimitBytes) if the event is genuine.`;
  }
  if (type === 'encoding.unsupported') return 'compressed bodies are refused: the stored bytes must be the ones Stripe signed.';
  return (error as Error)?.message ?? String(error);
}
