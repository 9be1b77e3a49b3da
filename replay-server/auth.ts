import { createHash, timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from '../core/index.js';
import { ApiError } from './errors.js';

/**
 * Decides whether /api needs a token. Loopback needs none unless asked; anything reachable
 * from another machine must have one, since /api can make the server POST anywhere.
 */
export function tokenPolicy(host: string, token: string | undefined, requireToken: boolean | undefined): string | undefined {
  const loopback = isLoopbackHost(host);
  const required = requireToken ?? (token !== undefined || !loopback);
  if (!loopback && !required) {
    throw new Error(`host ${host} is reachable from other machines, so the /api token cannot be turned off; bind 127.0.0.1 or give a token.`);
  }
  if (required && !token) {
    throw new Error(loopback
      ? 'requireToken is set but no token was given.'
      : `host ${host} is reachable from other machines: give a token (--token or VIBES_REPLAY_TOKEN) that every /api call must carry, or bind 127.0.0.1.`);
  }
  return required ? token : undefined;
}

/** A check of `Authorization: Bearer <token>` in constant time; throws a 401 ApiError. */
export function bearerCheck(token: string): (authorization: string | undefined) => void {
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
