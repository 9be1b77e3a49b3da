import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The requests still delivering, so that stopping the server lets them finish and record what
 * they sent (a delivery that reached the app is a fact a test may need) instead of cutting them off.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles, and returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.then(
      () => this.running.delete(work),
      () => this.running.delete(work),
    );
    return work;
  }

  /** Resolves once everything tracked has settled, or after `ms`, whichever is first. */
  async drained(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    await Promise.race([Promise.allSettled([...this.running]), sleep(ms, undefined, { ref: false })]);
  }
}
