import { test } from '@playwright/test';

/**
 * What the preset notes on a test for the vibes reporter (helpers/reporter.ts) to sum up at the
 * end of the run. Annotations travel from the worker to every reporter, including merged blob
 * reports, and show in the HTML report beside the test.
 */
export const ANNOTATIONS = {
  /** `passed <email>` or `failed <email>: granted N times`, one per toGrantExactlyOnce. */
  exactlyOnce: 'vibes-exactly-once',
  /** `removed R of T`: what the cleanup registry removed after the test. */
  cleanup: 'vibes-cleanup',
  /** `N`: what the run's ledger still holds at its end (crashed tests note no cleanup of their own); 0 included. */
  cleanupLeft: 'vibes-cleanup-left',
  /** The removals that failed, one `label: error` per line. */
  cleanupFailed: 'vibes-cleanup-failed',
  /** `seed S (source): N runs, no counterexample` or `…, counterexample after K shrinks`, one per webhooks.fuzz. */
  fuzz: 'vibes-fuzz',
} as const;

/** Notes an annotation on the running test; outside a test (a script using the helpers), nothing. */
export function annotate(type: string, description: string): void {
  let info;
  try {
    info = test.info();
  } catch {
    return;
  }
  info.annotations.push({ type, description });
}
