import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';

export interface RateLimitOptions {
  /** Requests per second (Stripe test mode allows 25; the default leaves headroom). */
  perSecond?: number;
  /** Attempts for one call that keeps getting 429 or `Stripe-Should-Retry: true`. */
  maxAttempts?: number;
  /** Called with each wait after a 429, for progress lines. */
  onBackoff?: (waitMs: number, attempt: number) => void;
}

/**
 * Spaces Stripe calls to a steady rate and retries the ones Stripe refuses for load (429) or
 * asks to retry, with exponential backoff and full jitter so that parallel workers spread out.
 */
export class StripeRateLimiter {
  private nextSlot = 0;
  private readonly interval: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: RateLimitOptions = {}) {
    const perSecond = options.perSecond ?? 20;
    if (!(perSecond > 0)) throw new RangeError(`the Stripe rate must be above 0 requests per second, got ${perSecond}`);
    this.interval = 1000 / perSecond;
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  async call<T>(request: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.slot();
      try {
        return await request();
      } catch (error) {
        if (attempt >= this.maxAttempts || !isRetryable(error)) throw error;
        const wait = Math.random() * Math.min(8_000, 250 * 2 ** attempt);
        this.options.onBackoff?.(wait, attempt);
        await sleep(wait);
      }
    }
  }

  private async slot(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + this.interval;
    if (at > now) await sleep(at - now);
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof Stripe.errors.StripeRateLimitError) return true;
  if (error instanceof Stripe.errors.StripeError) {
    const header = (error.headers as Record<string, string> | undefined)?.['stripe-should-retry'];
    return header === 'true' || error.statusCode === 429;
  }
  return false;
}

