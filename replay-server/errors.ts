import type { ServerResponse } from 'node:http';
import type { ErrorBody } from './types.js';

/** An error the API answers with its own status and `{ error: { message, code } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);

export const eventNotFound = (id: string) =>
  new ApiError(404, 'event_not_found', `no event ${id} is stored; list events with GET /api/events.`);

/**
 * Answers with an error as JSON. Anything but an ApiError, or a 4xx that express itself raised
 * (a path it cannot decode), is unexpected: a 500, logged.
 */
export function sendError(res: ServerResponse, thrown: unknown): void {
  const error = asClientError(thrown);
  const known = error instanceof ApiError;
  if (!known) console.error(`replay-server: ${(error as Error)?.stack ?? error}`);
  if (res.headersSent) return void res.destroy();
  // A body left unread (too large) must not be read on to keep the connection: close it.
  if (known && error.status === 413) res.setHeader('connection', 'close');
  const body: ErrorBody = known
    ? { error: { message: error.message, code: error.code } }
    : { error: { message: `internal error: ${(error as Error)?.message ?? error}`, code: 'internal_error' } };
  sendJson(res, known ? error.status : 500, body);
}

function asClientError(error: unknown): unknown {
  if (error instanceof ApiError || !(error instanceof Error)) return error;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? new ApiError(status, 'bad_request', error.message) : error;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const json = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}
