import type { RequestHandler } from 'express';
import { errors } from '../errors.js';

/**
 * Stripe's test-mode rate limit as a sliding one-second window: beyond `perSecond` requests in
 * the last second, 429 with Stripe's `rate_limit` error. Refused requests do not count.
 */
export class SlidingWindowLimiter {
  private readonly accepted: number[] = [];

  constructor(private readonly perSecond: number) {}

  tryAcquire(now = Date.now()): boolean {
    while (this.accepted.length > 0 && this.accepted[0]! <= now - 1000) this.accepted.shift();
    if (this.accepted.length >= this.perSecond) return false;
    this.accepted.push(now);
    return true;
  }

  reset(): void {
    this.accepted.length = 0;
  }

  middleware(): RequestHandler {
    return (_req, _res, next) => {
      if (!this.tryAcquire()) throw errors.rateLimited();
      next();
    };
  }
}
