import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost } from '../core/index.js';
import { ApiError } from './errors.js';

/**
 * What is wrong with these token settings, if anything (`hostLabel` names the host's setting).
 * Loopback needs no token unless asked; anything reachable from another machine must have one,
 * since /api can make the server POST anywhere.
 */
export function tokenProblem(host: string, token: string | undefined, requireToken?: boolean, hostLabel = 'host'): string | undefined {
  const loopback = isLoopbackHost(host);
  if (!loopback && requireToken === false) {
    return `${hostLabel} ${host} is reachable from other machines, so the /api token cannot be turned off; bind 127.0.0.1 or give a token.`;
  }
  if (token) return undefined;
  if (!loopback) return `${hostLabel} ${host} is reachable from other machines: give a token (--token or VIBES_REPLAY_TOKEN) that every /api call must carry, or bind 127.0.0.1.`;
  if (requireToken) return 'requireToken is set but no token was given.';
  return undefined;
}

/** The token /api calls must carry, or undefined when they need none; throws tokenProblem's error. */
export function tokenPolicy(host: string, token: string | undefined, requireToken: boolean | undefined): string | undefined {
  const problem = tokenProblem(host, token, requireToken);
  if (problem) throw new Error(problem);
  return token && requireToken !== false ? token : undefined;
}

/** What every /api call must pass: not from a web page, and with the token when there is one. */
export function apiCallCheck(boundHost: string, token: string | undefined): (headers: IncomingHttpHeaders) => void {
  const fromBrowser = browserCheck(boundHost);
  const withToken = token ? bearerCheck(token) : undefined;
  return (headers) => {
    fromBrowser(headers);
    withToken?.(headers.authorization);
  };
}

/** A check of `Authorization: Bearer <token>` in constant time; throws a 401 ApiError. */
function bearerCheck(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (match && timingSafeEqual(digest(match[1]!.trim()), expected)) return;
    throw new ApiError(401, 'unauthorized', 'this replay server requires a token on /api calls: send "Authorization: Bearer <token>" with the token it was started with.');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Refuses /api calls that a web page in the developer's browser made: /api can make the server
 * POST anywhere and reads every stored event. A page on another origin can send a form-like POST
 * without a preflight (its Origin gives it away), and a page that rebinds its own name to
 * 127.0.0.1 is "same-origin" but names itself in Host. Programs (the fixtures, curl, `stripe`)
 * send no Origin and the loopback Host they connected to; the dashboard's origin is the server's.
 * Host is only checked on loopback: elsewhere the token is required, and a page cannot send it.
 */
function browserCheck(boundHost: string): (headers: IncomingHttpHeaders) => void {
  const loopback = isLoopbackHost(boundHost);
  return ({ origin, host }) => {
    if (origin !== undefined && originHost(origin) !== host?.toLowerCase()) {
      throw new ApiError(403, 'cross_origin', `a request from the web page at ${origin} was refused: the replay server's API answers programs and its own dashboard only.`);
    }
    if (loopback && host !== undefined && !isLoopbackHost(hostname(host)) && hostname(host) !== boundHost.toLowerCase()) {
      throw new ApiError(403, 'foreign_host', `Host ${host} is not this machine's loopback name; call the replay server at its own address (127.0.0.1 or localhost).`);
    }
  };
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // "null" (a sandboxed page, a file): never this server's origin
  }
}

/** The name in a Host header, without its port ("[::1]:4545" → "[::1]", "localhost:80" → "localhost"). */
function hostname(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, '');
}
