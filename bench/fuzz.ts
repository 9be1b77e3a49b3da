import os from 'node:os';
import type { DemoBug } from '../demo-app/index.js';
import { fuzzWebhooks, type FuzzResult } from '../helpers/index.js';
import { redactUrl } from '../postgres/index.js';
import { benchDatabase } from './database.js';
import { demoProperty, startDemoStack } from './fuzz-demo.js';
import { median } from './stats.js';

/**
 * How long the property-based fuzzer takes to find each planted webhook bug of the demo app:
 * the demo's property (Pro granted once, newest subscription state) with its default run count,
 * over real HTTP and Postgres (the demo app and a replay server in this process, as the
 * framework tests run them). Per bug and seed: the time until the first failing run ends (what
 * a developer waits for the red), and until the shrunk counterexample is ready. Medians over seeds.
 */
const BUGS: DemoBug[] = ['double-grant', 'race', 'out-of-order', 'no-signature-check'];
const SEEDS = (process.env.BENCH_FUZZ_SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const PROPERTY = 'demo: Pro granted once and the newest subscription state, whatever Stripe delivers';

const cleanups: Array<() => Promise<void>> = [];
try {
  const database = await benchDatabase('vibes_bench_fuzz');
  cleanups.push(database.cleanup);
  const databaseUrl = database.url;
  console.log(`machine: ${os.cpus()[0]?.model.trim() ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}, ${os.platform()} ${os.arch()}, load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`postgres: ${process.env.VIBES_DATABASE_URL ? redactUrl(process.env.VIBES_DATABASE_URL) : 'embedded, ephemeral'}`);
  console.log(`property: ${PROPERTY}; 4 events a run (checkout, subscription created/updated/deleted); default runs (25); seeds ${SEEDS.join(', ')}`);

  const correct = await startDemoStack(databaseUrl, []);
  const clean = await timeSeeds(correct, SEEDS);
  await correct.close();
  console.log(`correct app: ${clean.filter((r) => r.passed).length}/${clean.length} seeds without a counterexample; median ${seconds(median(clean.map((r) => r.durationMs / r.numRuns)) * 1000)} ms a run`);

  for (const bug of BUGS) {
    const stack = await startDemoStack(databaseUrl, [bug]);
    const results = await timeSeeds(stack, SEEDS);
    await stack.close();
    const found = results.filter((r) => !r.passed);
    if (found.length < results.length) console.log(`${bug}: NOT FOUND with seeds ${results.filter((r) => r.passed).map((r) => r.seed).join(', ')}`);
    if (found.length === 0) continue;
    const first = found.map((r) => r.firstFailureMs!);
    console.log(
      `${bug}: median ${seconds(median(first))} s to first counterexample (seeds ${found.map((r) => r.seed).join(', ')}: ${first.map(seconds).join(', ')} s); ` +
        `median ${seconds(median(found.map((r) => r.durationMs)))} s with shrinking, to ${found.map((r) => r.counterexample!.deliveries).join('/')} deliveries; ` +
        `runs to find it: median ${median(found.map((r) => r.numRuns))}`,
    );
  }
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup();
}

async function timeSeeds(stack: Awaited<ReturnType<typeof startDemoStack>>, seeds: number[]): Promise<FuzzResult[]> {
  const results: FuzzResult[] = [];
  for (const seed of seeds) results.push(await fuzzWebhooks({ ...demoProperty(stack.appPool), seed }, stack.environment(PROPERTY)));
  return results;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
}
