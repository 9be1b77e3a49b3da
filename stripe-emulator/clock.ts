/**
 * Unix seconds that never go backwards, so the events of one flow always have
 * non-decreasing `created` even if the wall clock is adjusted mid-run.
 */
export class Clock {
  private last = 0;

  now(): number {
    this.last = Math.max(this.last, Math.floor(Date.now() / 1000));
    return this.last;
  }
}
