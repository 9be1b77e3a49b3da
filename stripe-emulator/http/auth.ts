import type { RequestHandler } from 'express';
import { errors } from '../errors.js';

/** The API key of a request: Bearer (the stripe client) or Basic with the key as user name (curl -u). */
function apiKeyOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return value || undefined;
  if (scheme?.toLowerCase() === 'basic') {
    const user = Buffer.from(value, 'base64').toString().split(':')[0];
    return user || undefined;
  }
  return undefined;
}

/**
 * Test-mode keys only. A live key is refused with a message that never repeats it, so a
 * misconfigured suite fails loudly instead of ever pointing live credentials anywhere.
 */
export function requireTestKey(): RequestHandler {
  return (req, _res, next) => {
    const key = apiKeyOf(req.get('authorization'));
    if (!key) throw errors.missingApiKey();
    if (/^(sk|rk)_live_/.test(key)) throw errors.liveKeyRefused();
    if (!/^(sk|rk)_test_\S+$/.test(key)) throw errors.invalidApiKey();
    next();
  };
}
