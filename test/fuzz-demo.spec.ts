import { demoProperty, startDemoStack } from '../bench/fuzz-demo.js';
import type { DemoBug } from '../demo-app/index.js';
import { FuzzVacuousError, fuzzWebhooks, type FuzzResult } from '../helpers/index.js';
import { formatCounterexample } from '../helpers/fuzz/report.js';
import { test, expect } from './support/fixtures.js';

// The same name the benchmark uses: the default seed is derived from it, so these runs are pinned.
const PROPERTY = 'demo: Pro granted once and the newest subscription state, whatever Stripe delivers';

/** Each planted webhook bug, and what the invariant's message must say when the fuzzer finds it. */
const plantedBugs: Array<{ bug: DemoBug; says: RegExp; steps: number }> = [
  { bug: 'double-grant', says: /Pro grants: happened 2 times, but #0 checkout\.session\.completed .* exactly once/, steps: 2 },
  { bug: 'race', says: /Pro grants: happened 2 times, but #0 checkout\.session\.completed/, steps: 2 },
  { bug: 'out-of-order', says: /the subscription status is .* but should be/, steps: 2 },
  { bug: 'no-signature-check', says: /no genuinely signed copy reached the app|but should be/, steps: 1 },
];

function show(result: FuzzResult): string {
  const took = `${result.executions} executions in ${(result.durationMs / 1000).toFixed(1)} s`;
  return result.passed ? `no counterexample in ${result.numRuns} runs (seed ${result.seed}, ${took})` : `${formatCounterexample(result)}\n  (${took})`;
}

test.describe('webhooks fuzz against the demo app @db @stack', () => {
  for (const { bug, says, steps } of plantedBugs) {
    test(`finds the planted bug ${bug} with its default runs, shrunk to ${steps} ${steps === 1 ? 'delivery' : 'deliveries'}`, async ({ databaseUrl }) => {
      test.setTimeout(120_000);
      const stack = await startDemoStack(databaseUrl, [bug]);
      try {
        const result = await fuzzWebhooks(demoProperty(stack.appPool), stack.environment(PROPERTY));
        console.log(`${bug}: ${show(result)}`);
        expect(result.passed, show(result)).toBe(false);
        const example = result.counterexample!;
        expect(example.message).toMatch(says);
        expect(example.deliveries, show(result)).toBe(steps);
        // The report carries what reproduces it: the seed, the path, and the schedule file.
        expect(result.path).toMatch(/^\d+(:\d+)*$/);
        expect(example.file.header).toMatchObject({ seed: result.seed, path: result.path, title: PROPERTY });
        expect(example.file.steps).toHaveLength(steps);
      } finally {
        await stack.close();
      }
    });
  }

  test('the race takes genuine copies of the checkout event that overlap in the app', async ({ databaseUrl }) => {
    test.setTimeout(120_000);
    const stack = await startDemoStack(databaseUrl, ['race']);
    try {
      const result = await fuzzWebhooks(demoProperty(stack.appPool), stack.environment(PROPERTY));
      const [first, second] = result.counterexample!.file.steps;
      expect([first!.event, second!.event, first!.signature, second!.signature]).toEqual([0, 0, 'fresh', 'fresh']);
      // Either both start together, or the first was cut off and the app was still on it when the retry came.
      expect(first!.group === second!.group || first!.cutOff, show(result)).toBe(true);
    } finally {
      await stack.close();
    }
  });

  test('an app that refuses every genuine delivery (another webhook secret) does not pass vacuously', async ({ databaseUrl }) => {
    test.setTimeout(120_000);
    const stack = await startDemoStack(databaseUrl, [], { appSecret: `whsec_${'0'.repeat(32)}` });
    try {
      const failure = await fuzzWebhooks(demoProperty(stack.appPool), stack.environment(PROPERTY)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FuzzVacuousError);
      expect((failure as Error).message).toMatch(/in 25 runs the app acknowledged no genuinely signed delivery; each answered got an error \(400 ".*"\), so the property held only because nothing took effect/);
      expect((failure as Error).message).toContain("Does the app's webhook verify with the run's STRIPE_WEBHOOK_SECRET, on the raw body?");
    } finally {
      await stack.close();
    }
  });

  test('finds nothing in the correct app across 10 seeds', async ({ databaseUrl }) => {
    test.setTimeout(300_000);
    const stack = await startDemoStack(databaseUrl, []);
    try {
      const results: FuzzResult[] = [];
      for (let seed = 1; seed <= 10; seed++) {
        results.push(await fuzzWebhooks({ ...demoProperty(stack.appPool), seed }, stack.environment(PROPERTY)));
      }
      expect(results.filter((r) => !r.passed).map(show)).toEqual([]);
      expect(results.map((r) => r.numRuns)).toEqual(Array(10).fill(25));
      // The runs did deliver: every subject exists, and the app acknowledged genuine copies.
      const { rows } = await stack.appPool.query<{ n: number }>('select count(*)::int as n from demo.entitlements');
      expect(rows[0]!.n).toBeGreaterThan(100);
    } finally {
      await stack.close();
    }
  });
});
