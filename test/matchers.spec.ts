import { test } from '@playwright/test';
import { expect as vibesExpect, type EntitlementsConfig } from '../helpers/index.js';
import { appDatabases } from '../app-database/index.js';
import { EntitlementProbe } from '../helpers/entitlements.js';

/** A probe over a count function: no database, so each read is exactly what the test says. */
function probeOf(counts: number[], config: Partial<EntitlementsConfig> = {}) {
  let reads = 0;
  const probe = new EntitlementProbe({ count: async () => counts[Math.min(reads++, counts.length - 1)]!, ...config } as EntitlementsConfig, appDatabases());
  return { probe, reads: () => reads };
}

test.describe('the grant matchers, watched with stableForMs', () => {
  // The matchers annotate each check for the run summary; these fail on purpose and are not the app's.
  test.afterEach(() => void test.info().annotations.splice(0));

  test('a second grant after the first look passes by default, and fails when the grant is watched', async () => {
    // 1 on the first read, 2 on every later one: an app granting again from a queue.
    await vibesExpect(probeOf([1, 2]).probe).toGrantExactlyOnce('late@example.com');

    const watched = probeOf([1, 2]);
    const error = await vibesExpect(watched.probe).toGrantExactlyOnce('late@example.com', { stableForMs: 1_000 }).catch((e: Error) => e);
    vibesExpect(error).toBeInstanceOf(Error);
    vibesExpect((error as Error).message).toContain('Received: granted 2 times');
    vibesExpect((error as Error).message).toMatch(/It was 1 at first; 2 came \d+ ms later, within the 1000 ms it was watched \(stableForMs\)/);
    vibesExpect(watched.reads()).toBe(2);
  });

  test('a grant that stays at one passes after the window; the config sets the window for every call', async () => {
    const steady = probeOf([1], { stableForMs: 300 });
    await vibesExpect(steady.probe).toGrantExactlyOnce('steady@example.com');
    vibesExpect(steady.reads(), 'it kept reading through the window').toBeGreaterThan(1);

    // A late grant after a declined card: toGrantNothing watches the same way.
    const late = probeOf([0, 1], { stableForMs: 1_000 });
    await vibesExpect(vibesExpect(late.probe).toGrantNothing('declined@example.com')).rejects.toThrow(/It was 0 at first; 1 came \d+ ms later/);
    // The call's own window beats the config's.
    await vibesExpect(probeOf([0, 1], { stableForMs: 1_000 }).probe).toGrantNothing('declined@example.com', { stableForMs: 0 });
  });

  test('a window that is not a whole number of milliseconds is refused, naming the matcher', async () => {
    for (const stableForMs of [-1, 1.5, Number.NaN, 10_000_000]) {
      await vibesExpect(vibesExpect(probeOf([1]).probe).toGrantExactlyOnce('x@example.com', { stableForMs })).rejects.toThrow(
        /toGrantExactlyOnce: stableForMs must be a whole number of milliseconds from 0 to 600000/,
      );
    }
  });
});

test.describe('the grant matchers poll like web-first assertions', () => {
  test.afterEach(() => void test.info().annotations.splice(0));
  const quick = vibesExpect.configure({ timeout: 1_000 });

  test('a grant that arrives after the first looks passes, read by read', async () => {
    // The webhook lands while the assertion waits: 0, 0, then 1.
    const late = probeOf([0, 0, 1]);
    await quick(late.probe).toGrantExactlyOnce('late@example.com');
    vibesExpect(late.reads()).toBe(3);
    // toGrantNothing waits for the count to read 0 the same way (a probe whose source catches up).
    const catching = probeOf([1, 0]);
    await quick(catching.probe).toGrantNothing('declined@example.com');
    vibesExpect(catching.reads()).toBe(2);
  });

  test('no grant within the timeout fails after reading more than once; two grants fail at the first read', async () => {
    const never = probeOf([0]);
    await vibesExpect(quick(never.probe).toGrantExactlyOnce('never@example.com')).rejects.toThrow(/Received: granted 0 times\n\nThe app granted nothing: see below whether it refused the deliveries/);
    // A 2xx without a grant: the user not found, a grant after the answer, or one left to a page.
    await vibesExpect(quick(never.probe).toGrantExactlyOnce('never@example.com')).rejects.toThrow(/the customer id it stored\), and grant, and commit, before it answers \(not after, and not only from a page the browser visits\)\?/);
    vibesExpect(never.reads()).toBeGreaterThan(2);
    // Grants never go away on their own: waiting out the timeout could not help.
    const twice = probeOf([2]);
    await vibesExpect(quick(twice.probe).toGrantExactlyOnce('twice@example.com')).rejects.toThrow(/Received: granted 2 times/);
    vibesExpect(twice.reads()).toBe(1);
    // .not passes as soon as it reads anything but one.
    const none = probeOf([0]);
    await quick(none.probe).not.toGrantExactlyOnce('none@example.com');
    vibesExpect(none.reads()).toBe(1);
  });
});

test.describe('the grant checks the run summary counts', () => {
  test.afterEach(() => void test.info().annotations.splice(0));

  test('a check whose count throws (its SQL refused) is a failed check, not none at all', async () => {
    const probe = new EntitlementProbe({ count: async () => { throw new Error('entitlements.sql failed: relation "entitlements" does not exist\nmore'); } } as EntitlementsConfig, appDatabases());
    await vibesExpect(vibesExpect(probe).toGrantExactlyOnce('broken@example.com')).rejects.toThrow(/relation "entitlements" does not exist/);
    vibesExpect(test.info().annotations.filter((a) => a.type === 'vibes-exactly-once')).toEqual([
      { type: 'vibes-exactly-once', description: 'failed broken@example.com: entitlements.sql failed: relation "entitlements" does not exist' },
    ]);
  });
});
