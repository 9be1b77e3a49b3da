import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import VibesReporter from '../helpers/reporter.js';
import { test, expect } from './support/replay-fixtures.js';
import { startEmulatorHarness } from './support/emulator-harness.js';
import { NO_VIBES_SERVERS, runPlaywright, tempProject } from './support/temp-project.js';

// A user's project whose suite exercises every line of the summary: a replayed event, an
// exactly-once check that passes and one that fails, a removal that fails, a flaky test.
const CONFIG = `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ webhooks: { replayServerUrl: process.env.VIBES_REPLAY_URL } }, { testDir: './e2e', workers: 1 });
`;

const SUITE = `import { test, expect } from 'playwright-vibes';

// The app's grants, as the entitlements probe would count them.
const grants = new Map<string, number>();
test.use({ entitlementsConfig: { count: async (email) => grants.get(email) ?? 0 } });

test('an event replayed twice grants once', async ({ user, webhooks, entitlements }) => {
  const event = await webhooks.inject({
    type: 'checkout.session.completed',
    data: { object: { object: 'checkout.session', customer_details: { email: user.email }, metadata: { vibes_run: user.run } } },
  });
  await webhooks.replay(event, { times: 2 });
  grants.set(user.email, 1);
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test('a double grant fails its check', async ({ user, entitlements, cleanup }) => {
  await cleanup.defer('a removal that fails', () => {
    throw new Error('the app answered 500');
  });
  grants.set(user.email, 2);
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test.describe('retried', () => {
  test.describe.configure({ retries: 1 });
  test('passes on its retry only', () => {
    expect(test.info().retry).toBe(1);
  });
});
`;

const SUMMARY = [
  'Vibes summary',
  '  webhooks      1 event injected, 2 replays sent',
  '  exactly once  1 check passed, 1 failed',
  '  cleanup       2 removed, 1 left behind',
  '  flaky tests   1',
  '                summary.spec.ts › retried › passes on its retry only',
  '  run           r-summary-run (events with metadata.vibes_run = it: vibes replay-server export --out recorded.ndjson --run r-summary-run --teardown false)',
].join('\n');

/** What the reporter prints at the end of a run whose test attempts noted these annotations and attachments. */
function summaryOf(results: Partial<Pick<TestResult, 'annotations' | 'attachments'>>[]): string {
  const reporter = new VibesReporter();
  reporter.onBegin({} as FullConfig, { allTests: () => [] } as unknown as Suite);
  for (const result of results) reporter.onTestEnd({} as TestCase, { annotations: [], attachments: [], ...result } as TestResult);
  let printed = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof write;
  try {
    reporter.onEnd();
  } finally {
    process.stdout.write = write;
  }
  return printed;
}

const summaryAfter = (attempts: TestResult['annotations'][]) => summaryOf(attempts.map((annotations) => ({ annotations })));

test('sums up webhooks.fuzz calls on a line of their own: properties, runs and counterexamples found', () => {
  const fuzzed = summaryAfter([
    [{ type: 'vibes-fuzz', description: 'seed 42 (derived from the name): 25 runs, no counterexample' }],
    [{ type: 'vibes-fuzz', description: 'seed -7 (VIBES_FUZZ_SEED): 13 runs, counterexample after 4 shrinks' }, { type: 'vibes-cleanup', description: 'removed 1 of 1' }],
  ]);
  expect(fuzzed).toContain('\n  cleanup       1 removed, 0 left behind\n  fuzz          2 properties, 38 runs, 1 counterexample found\n');
  // No matcher checks in that run: not "0 checks passed" above a fuzz line that checked grants.
  expect(fuzzed).toContain('\n  exactly once  no toGrantExactlyOnce checks; the fuzz properties below checked what they state\n');
  // A run that fuzzed nothing has no fuzz line.
  expect(summaryAfter([[{ type: 'vibes-cleanup', description: 'removed 1 of 1' }]])).not.toContain('fuzz');
  expect(summaryAfter([[]])).toContain('\n  exactly once  no toGrantExactlyOnce checks\n');
  // No events seen: the run line claims nothing of them.
  expect(summaryAfter([[]])).toMatch(/\n  run +\S+ \(no events seen\)\n/);
});

test('counts the events Stripe sent apart from those the tests injected', () => {
  const timeline = (events: { id: string; source: string }[]) => ({ name: 'webhook-timeline.json', contentType: 'application/json', body: Buffer.from(JSON.stringify(events)) });
  const printed = summaryOf([
    { attachments: [timeline([{ id: 'evt_1', source: 'captured' }, { id: 'evt_2', source: 'injected' }])] },
    // The same captured event in a second test's timeline is one event.
    { attachments: [timeline([{ id: 'evt_1', source: 'captured' }, { id: 'evt_3', source: 'captured' }])] },
  ]);
  expect(printed).toContain('\n  webhooks      3 events (2 captured, 1 injected), 0 replays sent\n');
  // A recorded run's events (webhooks.import) are neither Stripe's of this run nor the tests' own.
  const offline = summaryOf([{ attachments: [timeline([{ id: 'evt_4', source: 'imported' }, { id: 'evt_5', source: 'injected' }])] }]);
  expect(offline).toContain('\n  webhooks      2 events (1 injected, 1 imported), 0 replays sent\n');
  expect(summaryOf([{ attachments: [timeline([{ id: 'evt_6', source: 'imported' }])] }])).toContain('\n  webhooks      1 event imported, 0 replays sent\n');
  // Nothing came from Stripe: there was nothing for the app to tag, and the run line does not ask it to.
  expect(offline).toMatch(/\n  run +\S+ \(Stripe sent this run no events: those seen were injected or imported\)/);
  // None carried the run's id: `export --run` would find nothing, and the line says so.
  expect(printed).toMatch(/\n  run +\S+ \(no event carried it in metadata\.vibes_run, so `export --run` finds none: export by --email or --since/);
});

test("counts as left behind what the run's ledger still holds at its end, which tests whose worker died never noted", () => {
  const summary = summaryAfter([
    [{ type: 'vibes-cleanup', description: 'removed 2 of 3' }],
    // The teardown project's note: 4 entries pending, the 1 above and 3 of a killed worker.
    [{ type: 'vibes-cleanup-left', description: '4' }],
  ]);
  expect(summary).toContain('\n  cleanup       2 removed, 4 left behind\n');
});

test.describe('vibes reporter @db @stack', () => {
  test('ends a run with events, replays, exactly-once checks, cleanup and flaky tests, beside list (and html on CI)', async ({ startHarness, databaseUrl, secondDatabaseUrl }) => {
    test.setTimeout(120_000);
    const replay = await startHarness();
    const stripe = await startEmulatorHarness();
    const project = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', type: 'module' }), 'playwright.config.ts': CONFIG, 'e2e/summary.spec.ts': SUITE });
    try {
      const env = { VIBES_REPLAY_URL: replay.url, STRIPE_EMULATOR_URL: stripe.emulator.url, VIBES_RUN_ID: 'r-summary-run' };
      // Each run its own cleanup ledger: the removal that fails stays in it, and a later run
      // sharing it would try (and fail) to remove it before its tests.
      const local = await runPlaywright(project, ['--project=chromium', '--retries=0', '--output', path.join(project.dir, 'local-results')], { ...env, VIBES_DATABASE_URL: databaseUrl });
      const ci = await runPlaywright(project, ['--project=chromium', '--retries=0', '--output', path.join(project.dir, 'ci-results')], { ...env, VIBES_DATABASE_URL: secondDatabaseUrl, CI: '1' });

      for (const run of [local, ci]) {
        expect(run.code, run.output).toBe(1);
        expect(run.output.trimEnd().endsWith(SUMMARY), run.output).toBe(true);
        // The list reporter's own lines are all there too.
        expect(run.output).toMatch(/✘ +\d+ \[chromium\] › e2e[/\\]summary\.spec\.ts:\d+:\d+ › a double grant fails its check/);
        expect(run.output).toMatch(/^ +1 flaky$/m);
      }
      // On CI the HTML report is written as well.
      expect((await stat(path.join(project.dir, 'playwright-report', 'index.html'))).isFile()).toBe(true);
    } finally {
      await project.remove();
      await stripe.close();
    }
  });

  test('an interrupted run says its cleanup count covers only the tests that finished, and how to remove the rest', async ({ databaseUrl }) => {
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
      'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({}, { workers: 1 });\n",
      'e2e/steps.spec.ts': `import { writeFileSync } from 'node:fs';
import { test } from 'playwright-vibes';
test('removes what it made', async ({ cleanup }) => {
  await cleanup.defer('a record of the app', () => {});
});
test('is still running at Ctrl-C', async () => {
  writeFileSync(new URL('../running', import.meta.url), '');
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
`,
    });
    const ctrlC = new AbortController();
    try {
      // No replay server or emulator, and so no setup project (--no-deps), which would ask them.
      const running = runPlaywright(project, ['--project=chromium', '--no-deps'], { ...NO_VIBES_SERVERS, VIBES_DATABASE_URL: databaseUrl }, ctrlC.signal);
      await expect.poll(() => existsSync(path.join(project.dir, 'running')), { timeout: 60_000 }).toBe(true);
      ctrlC.abort();
      const run = await running;
      expect(run.output).toContain([
        '  cleanup       1 removed, 0 left behind by the tests that finished',
        '                interrupted before the cleanup check: the next run removes what this one left, or now `npx vibes sweep --older-than 0s`',
      ].join('\n'));
    } finally {
      await project.remove();
    }
  });

  test('stays silent when nothing ran (--list)', async () => {
    const project = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', type: 'module' }), 'playwright.config.ts': CONFIG, 'e2e/summary.spec.ts': SUITE });
    try {
      const listing = await runPlaywright(project, ['--project=chromium', '--list']);
      expect(listing.code, listing.output).toBe(0);
      expect(listing.output).toMatch(/\[chromium\] › summary\.spec\.ts:\d+:\d+ › a double grant fails its check/);
      expect(listing.output).toMatch(/^Total: \d+ tests/m);
      expect(listing.output).not.toContain('Vibes summary');
    } finally {
      await project.remove();
    }
  });

  test('is exported as playwright-vibes/reporter', async () => {
    const project = await tempProject();
    try {
      const result = spawnSync(process.execPath, ['--input-type=module', '-e',
        "const { default: Reporter } = await import('playwright-vibes/reporter'); console.log(`${typeof Reporter} ${new Reporter().printsToStdio()}`);"], { cwd: project.dir, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe('function true');
    } finally {
      await project.remove();
    }
  });
});
