import { once, setMaxListeners } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import type pg from 'pg';
import { listen } from '../core/index.js';
import { apiCallCheck, tokenPolicy } from './auth.js';
import { readBody, requireBody } from './body.js';
import { captureEvent } from './capture.js';
import { dashboardRoutes } from './dashboard/routes.js';
import { ApiError, eventNotFound, sendError } from './errors.js';
import { eventStream } from './events-stream.js';
import { DEFAULT_LIMIT, parseFilters } from './filters.js';
import { hotRoutes } from './hot-routes.js';
import { InFlight } from './in-flight.js';
import { parseInjection } from './inject.js';
import { parseTeardown } from './teardown.js';
import { exportEvents, importEvents } from './ndjson.js';
import { scheduleRoute } from './schedule.js';
import { parseTarget, publicTarget, type ReplayContext } from './replay.js';
import { DEFAULT_RUN_LIMIT_MS } from './run-limit.js';
import { migrateReplaySchema } from './schema.js';
import { ReplayStore } from './store.js';
import type { Health } from './types.js';

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
  /** How long one replay or schedule may go on starting copies; default 5 min. */
  runLimitMs?: number;
}

export interface ReplayServer {
  url: string;
  close(): Promise<void>;
}

/** Where `vibes replay-server` listens, and so where a client looks, when neither is told. */
export const DEFAULT_REPLAY_URL = 'http://127.0.0.1:4343';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/** How long a stopping server waits for deliveries in flight to finish and be recorded. */
const SHUTDOWN_GRACE_MS = 5_000;
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

  const runLimitMs = options.runLimitMs ?? DEFAULT_RUN_LIMIT_MS;
  if (!Number.isInteger(runLimitMs) || runLimitMs < 1) throw new Error(`runLimitMs must be a positive whole number, got ${runLimitMs}.`);
  const store = new ReplayStore(options.pool);
  const stopping = new AbortController();
  // Every spaced replay under way listens on it; many at once are normal, not a leak.
  setMaxListeners(0, stopping.signal);
  const context: ReplayContext = {
    store,
    forwardTo,
    secret: options.secret || undefined,
    forwardTimeoutMs: options.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
    runLimitMs,
    stopping: stopping.signal,
  };
  const checkApiCall = apiCallCheck(host, token);
  const inFlight = new InFlight();
  const app = createApp({ context, checkApiCall, inFlight, bodyLimit, pool: options.pool });
  const hot = hotRoutes({ capture: context, bodyLimit, checkApiCall, inFlight });
  const server = http.createServer((req, res) => {
    if (!hot(req, res)) app(req, res);
  });
  // Stripe and the test client both reuse connections; keep them longer than their idle timeouts.
  server.keepAliveTimeout = 65_000;
  const listening = await listen(server, { host, port: options.port ?? 0 });
  return {
    url: listening.url,
    async close() {
      store.changes.close();
      stopping.abort();
      // No new requests and no new waves; those delivering get a while to finish and record what they sent.
      const closing = listening.close();
      await inFlight.drained(SHUTDOWN_GRACE_MS);
      await closing;
      await store.settled();
    },
  };
}

function createApp({ context, checkApiCall, inFlight, bodyLimit, pool }: { context: ReplayContext; checkApiCall: (headers: IncomingHttpHeaders) => void; inFlight: InFlight; bodyLimit: number; pool: pg.Pool }) {
  const { store } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', async (_req, res) => {
    await pool.query('select 1');
    const health: Health = { ok: true, forward_to: context.forwardTo ? publicTarget(context.forwardTo) : null, signing: context.secret !== undefined };
    res.json(health);
  });

  const api = express.Router();
  api.use((req, _res, next) => next(attempt(() => checkApiCall(req.headers))));

  api.get('/events', async (req, res) => {
    res.json(await store.list(parseFilters(req.query, { defaultLimit: DEFAULT_LIMIT })));
  });

  // Cleanup names the customers it is about to delete, so the webhooks that follow never count.
  api.post('/teardown', async (req, res) => {
    const customers = parseTeardown(requireBody(await readBody(req, bodyLimit), '{"customers": ["cus_…"]}'));
    await store.markTeardown(customers);
    res.json({ customers: customers.length });
  });

  api.post('/events', async (req, res) => {
    const { raw, parsed, headers, deliver } = parseInjection(requireBody(await readBody(req, bodyLimit)));
    await inFlight.track(captureEvent({ raw, parsed, headers, source: 'injected', receivedAt: new Date() }, deliver ? context : { ...context, forwardTo: undefined }));
    res.status(201).json(await store.get(parsed.fields.id));
  });

  const schedule = scheduleRoute(context, bodyLimit);
  api.post('/schedules', (req, res, next) => inFlight.track(Promise.resolve(schedule(req, res, next))));

  api.get('/events/:id', async (req, res) => {
    const event = await store.get(String(req.params.id));
    if (!event) throw eventNotFound(String(req.params.id));
    res.json(event);
  });

  api.get('/export', async (req, res) => {
    const filters = parseFilters(req.query);
    res.type('application/x-ndjson');
    await exportEvents(pool, (chunk) => res.write(chunk) || once(res, 'drain'), filters);
    res.end();
  });

  api.post('/import', async (req, res) => {
    const body = requireBody(await readBody(req, bodyLimit * IMPORT_LIMIT_FACTOR), 'the lines of an NDJSON export (`vibes replay-server export`)');
    const result = await importEvents(pool, body.toString('utf8'));
    if (result.imported > 0) store.changes.publish({ kind: 'import', count: result.imported });
    res.json(result);
  });

  api.get('/stream', eventStream(store.changes));

  app.use('/api', api);
  app.use(dashboardRoutes());
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}; webhooks go to POST /webhooks/stripe, the API is under /api/events.`)));
  const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => sendError(res, error);
  app.use(errorHandler);
  return app;
}

function attempt(check: () => void): unknown {
  try {
    check();
    return undefined;
  } catch (error) {
    return error;
  }
}
