import type { RequestHandler } from 'express';
import { errors } from '../errors.js';

interface Saved {
  path: string;
  fingerprint: string;
  status: number;
  body: unknown;
  savedAt: number;
}

const TTL_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS = 50_000;

/**
 * `Idempotency-Key` on POST as Stripe honours it: the first result is saved for 24 hours and
 * replayed (with `Idempotent-Replayed: true`) for the same key and parameters; the same key on
 * another endpoint, or with other parameters, is an `idempotency_error`. Like Stripe, results of requests that failed
 * validation are not saved, so a corrected retry with the same key runs. A 5xx is saved: the
 * handler may have changed state before it failed, and the stripe client retries a 5xx with the
 * same key, which must not run the handler a second time.
 */
export class IdempotencyCache {
  private readonly saved = new Map<string, Saved>();

  reset(): void {
    this.saved.clear();
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const key = req.get('idempotency-key');
      if (req.method !== 'POST' || !key) return next();
      // Read now: a mounted router's req.path changes as the request moves through the app.
      const path = req.baseUrl + req.path;
      const fingerprint = `${req.method} ${path} ${JSON.stringify(req.body ?? {})}`;
      const now = Date.now();
      const hit = this.saved.get(key);
      if (hit && now - hit.savedAt < TTL_MS) {
        if (hit.path !== path) throw errors.idempotencyOtherEndpoint(key, hit.path, path);
        if (hit.fingerprint !== fingerprint) throw errors.idempotencyMismatch(key);
        res.set('Idempotent-Replayed', 'true');
        res.status(hit.status).json(hit.body);
        return;
      }
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        if (res.statusCode < 400 || res.statusCode === 402 || res.statusCode >= 500) {
          this.saved.set(key, { path, fingerprint, status: res.statusCode, body, savedAt: now });
          if (this.saved.size > MAX_KEYS) this.saved.delete(this.saved.keys().next().value!);
        }
        return json(body);
      };
      next();
    };
  }
}
