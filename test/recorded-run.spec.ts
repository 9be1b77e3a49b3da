import path from 'node:path';
import { runVibes } from './support/cli.js';
import { test, expect } from './support/replay-fixtures.js';
import { stripeEvent, uniqueId } from './support/replay-events.js';
import { runPlaywright, tempProject } from './support/temp-project.js';

// The README's "replay it offline in CI", as a user runs it: a run recorded and exported, then a
// later run (its own replay server, secret and app database) that imports the file and delivers
// the recorded event to the app.

const CONFIG = `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({
  app: 'demo',
  webhooks: { import: 'e2e/recorded.ndjson' },
  entitlements: { sql: 'select count(*) from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1' },
});
`;

/** The README's recipe, word for word but for the recorded run's id, and a check that it found the recording. */
const recordedSpec = (run: string) => `import { test, expect } from 'playwright-vibes';

test('a recorded Checkout grants Pro exactly once', async ({ user, flows, webhooks, entitlements }) => {
  await flows.signup(user);
  const recorded = await webhooks.waitFor('checkout.session.completed', { run: '${run}' }, { source: 'imported' });
  expect(recorded.source, 'the recording, not the copy an earlier run injected').toBe('imported');
  // Stripe's event, for this test's user, under a new id: a first delivery in every run.
  const { id: _recordedId, ...event } = JSON.parse(recorded.raw.replaceAll(recorded.email!, user.email));
  const delivered = await webhooks.inject(event);
  await webhooks.replay(delivered, { times: 3, concurrency: 3 });
  await expect(entitlements).toGrantExactlyOnce(user.email);
});
`;

test.describe('a recorded run replayed offline @db @stack', () => {
  test('webhooks.import loads the recording into the run\'s replay server, and the recipe grants once', async ({ startHarness, databaseUrl, secondDatabaseUrl }) => {
    test.setTimeout(120_000);
    const recording = await startHarness({ receiver: false });
    const run = uniqueId('rec');
    // What Stripe sends for a paid Checkout: the demo grants on payment_status 'paid' (Stripe's published example is unpaid).
    const email = `${uniqueId('recorded')}@example.com`;
    const paid = stripeEvent('checkout.session.completed', 'checkout.session', {
      id: uniqueId('cs_test'), customer: uniqueId('cus'), customer_details: { email }, payment_status: 'paid', status: 'complete', metadata: { vibes_run: run },
    });
    await recording.client.inject(paid.raw);
    const project = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', type: 'module' }), 'playwright.config.ts': CONFIG, 'e2e/recorded.spec.ts': recordedSpec(run) });
    try {
      const exported = await runVibes(['replay-server', 'export', '--run', run, '--out', path.join(project.dir, 'e2e', 'recorded.ndjson'), '--database-url', databaseUrl]);
      expect(exported.stderr).toContain('exported 1 event');

      // Twice on one store: the second run imports nothing new, and its copy is a first delivery all the same.
      for (const attempt of [1, 2]) {
        const result = await runPlaywright(project, ['--project=chromium', '--retries=0'], { VIBES_DATABASE_URL: secondDatabaseUrl });
        expect(result.code, `run ${attempt}:\n${result.output}`).toBe(0);
        expect(result.output).toContain(attempt === 1 ? 'imported 1 event from' : 'imported 0 events from');
      }
    } finally {
      await project.remove();
    }
  });

  test('a recording that is not there fails the config, naming it and how to make one', async () => {
    const project = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', type: 'module' }), 'playwright.config.ts': CONFIG });
    try {
      const result = await runPlaywright(project, ['--list']);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain(`webhooks.import: ${path.join(project.dir, 'e2e', 'recorded.ndjson')} does not exist. Record a run with \`npx vibes replay-server export --out e2e/recorded.ndjson --run <run id> --teardown false\``);
    } finally {
      await project.remove();
    }
  });
});
