import { readFile, writeFile } from 'node:fs/promises';
import type { TestInfo } from '@playwright/test';
import { plural } from '../core/index.js';
import { demoProperty, startDemoStack } from '../bench/fuzz-demo.js';
import { FuzzCounterexampleError, FuzzSetupError, fuzzWebhooks, type Counterexample, type FuzzResult } from '../helpers/index.js';
import { fuzzInTest, rerunCommand } from '../helpers/fuzz/in-test.js';
import { formatScheduleFile, parseScheduleFile } from '../replay-server/index.js';
import { runVibes } from './support/cli.js';
import { test, expect } from './support/fixtures.js';

const PROPERTY = 'demo: reproduce';
const GRANTS_SQL = 'select count(*)::int as n from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1';

/** What a counterexample delivered, without the ids and timings that differ between runs. */
function shape(example: Counterexample | undefined) {
  return example?.rows.map((r) => ({ group: r.group, event: r.index, type: r.type, signature: r.signature, cutOff: r.cutOff }));
}

test.describe('reproducing a fuzz counterexample @db', () => {
  test('the seed and path replay the shrunk counterexample; the schedule file replays it exactly, on a fresh subject', async ({ databaseUrl }, testInfo) => {
    test.setTimeout(120_000);
    const buggy = await startDemoStack(databaseUrl, ['double-grant']);
    try {
      const found = await fuzzWebhooks(demoProperty(buggy.appPool), buggy.environment(PROPERTY));
      expect(found.passed).toBe(false);

      const again = await fuzzWebhooks({ ...demoProperty(buggy.appPool), seed: found.seed, path: found.path }, buggy.environment(PROPERTY));
      expect(again.passed).toBe(false);
      expect(again.numRuns).toBe(1);
      expect(shape(again.counterexample)).toEqual(shape(found.counterexample));

      const file = testInfo.outputPath('counterexample.ndjson');
      await writeFile(file, formatScheduleFile(found.counterexample!.file));
      const replayed = await fuzzWebhooks({ ...demoProperty(buggy.appPool), replaySchedule: file }, buggy.environment(PROPERTY));
      expect(replayed).toMatchObject({ passed: false, numRuns: 1, executions: 1, seed: found.seed, path: found.path });
      expect(shape(replayed.counterexample)).toEqual(shape(found.counterexample));
      // A fresh subject, fresh events: not the ones the search used.
      const ids = (result: FuzzResult) => result.counterexample!.file.events.map((e) => e.id);
      expect(ids(replayed)).not.toEqual(ids(found));
      expect(replayed.counterexample!.message).toMatch(/Pro grants: happened 2 times/);
    } finally {
      await buggy.close();
    }
  });

  test('the same schedule file passes against the correct app, and a file that does not fit the setup is refused', async ({ databaseUrl }, testInfo) => {
    const correct = await startDemoStack(databaseUrl, []);
    try {
      const file = testInfo.outputPath('double.ndjson');
      await writeFile(file, scheduleText([[0, 'fresh', false], [0, 'fresh', false]], 4));
      const replayed = await fuzzWebhooks({ ...demoProperty(correct.appPool), replaySchedule: file }, correct.environment(PROPERTY));
      expect(replayed).toMatchObject({ passed: true, executions: 1 });

      const beyond = testInfo.outputPath('beyond.ndjson');
      await writeFile(beyond, scheduleText([[7, 'fresh', false]], 8));
      await expect(fuzzWebhooks({ ...demoProperty(correct.appPool), replaySchedule: beyond }, correct.environment(PROPERTY))).rejects.toThrow(
        /delivers event #7, but setup returned 4 events/,
      );
      const broken = testInfo.outputPath('broken.ndjson');
      await writeFile(broken, '{"kind": "header", "format": "vibes-schedule", "version": 1}\n{"kind": "step", "group": 0}\n');
      await expect(fuzzWebhooks({ ...demoProperty(correct.appPool), replaySchedule: broken }, correct.environment(PROPERTY))).rejects.toThrow(
        /broken\.ndjson is not a schedule file: line 2: a step needs "event"/,
      );
    } finally {
      await correct.close();
    }
  });

  test('the command to run a counterexample again names the config when Playwright would not find it by itself', () => {
    const cwd = '/work/shop';
    const at = { file: '/work/shop/e2e/fuzz.spec.ts', line: 12, project: { name: 'chromium' } as TestInfo['project'] };
    expect(rerunCommand({ ...at, config: { configFile: '/work/shop/playwright.config.ts' } }, cwd)).toBe('npx playwright test e2e/fuzz.spec.ts:12 --project=chromium');
    // A second config for the production build: without -c the copied command would run the dev server's.
    expect(rerunCommand({ ...at, config: { configFile: '/work/shop/playwright.prod.config.ts' } }, cwd)).toBe('npx playwright test -c playwright.prod.config.ts e2e/fuzz.spec.ts:12 --project=chromium');
    // Run from a monorepo's root with -c apps/web/playwright.config.ts.
    expect(rerunCommand({ ...at, file: '/work/apps/web/e2e/fuzz.spec.ts', config: { configFile: '/work/apps/web/playwright.config.ts' } }, '/work'))
      .toBe('npx playwright test -c apps/web/playwright.config.ts apps/web/e2e/fuzz.spec.ts:12 --project=chromium');
  });

  test('in a test, a counterexample fails with the seed, the path, the table and the commands, and attaches the schedule', async ({ databaseUrl }, testInfo) => {
    test.setTimeout(120_000);
    const buggy = await startDemoStack(databaseUrl, ['no-signature-check']);
    try {
      const { client, grants, query } = buggy.environment(PROPERTY);
      const failure = await fuzzInTest(client, demoProperty(buggy.appPool), {
        testInfo,
        config: { numRuns: 30 },
        replayServerUrl: client.baseUrl,
        grants,
        query,
      }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(FuzzCounterexampleError);
      const { message, result } = failure as FuzzCounterexampleError;
      const location = `test/fuzz-reproduce.spec.ts:${testInfo.line}`;
      expect(message).toContain(`seed ${result.seed} (derived from the name), path ${result.path}`);
      expect(message).toMatch(/group +event +signature +cut off +the app answered/);
      expect(message).toContain(`VIBES_SEED=${result.seed} VIBES_FUZZ_PATH=${result.path} npx playwright test ${location} --project=${testInfo.project.name}`);
      expect(message).toMatch(/VIBES_FUZZ_REPLAY=fuzz-counterexample\.ndjson npx playwright test/);
      expect(message).toContain(`npx vibes replay-server replay-schedule `);
      expect(message).toContain(`--url ${client.baseUrl} --fresh-ids`);

      const attachment = testInfo.attachments.find((a) => a.name === 'fuzz-counterexample.ndjson');
      expect(attachment?.contentType).toBe('application/x-ndjson');
      const attached = parseScheduleFile(await readFile(attachment!.path!, 'utf8'));
      expect(attached.header).toMatchObject({ seed: result.seed, path: result.path });
      expect(attached.steps.length).toBe(result.counterexample!.deliveries);
      expect(testInfo.annotations).toContainEqual({ type: 'vibes-fuzz', description: expect.stringMatching(/^seed -?\d+ \(derived from the name\): \d+ runs, counterexample after \d+ shrinks$/) });
    } finally {
      await buggy.close();
    }
  });

  test('vibes replay-server replay-schedule delivers a schedule file exactly, first deliveries again with --fresh-ids', async ({ databaseUrl }, testInfo) => {
    const buggy = await startDemoStack(databaseUrl, ['double-grant']);
    try {
      const found = await fuzzWebhooks(demoProperty(buggy.appPool), buggy.environment(PROPERTY));
      const file = testInfo.outputPath('counterexample.ndjson');
      await writeFile(file, formatScheduleFile(found.counterexample!.file));
      const email = /"email": "([^"]+)"/.exec(found.counterexample!.file.events[0]!.raw!)?.[1];
      const before = (await buggy.appPool.query<{ n: number }>(GRANTS_SQL, [email])).rows[0]!.n;
      expect(before).toBe(found.counterexample!.deliveries);

      const exact = await runVibes(['replay-server', 'replay-schedule', file, '--url', buggy.client.baseUrl]);
      expect(exact.code, exact.stderr).toBe(0);
      expect(exact.stdout).toContain(`schedule of: ${PROPERTY}`);
      expect(exact.stdout).toContain(`seed ${found.seed}, path ${found.path}`);
      expect(exact.stdout).toMatch(/note: evt_\w+ was delivered before/);
      expect(exact.stdout).toMatch(/#0 checkout\.session\.completed +fresh +200 in \d+ ms/);
      expect(exact.stdout).toContain(`${plural(found.counterexample!.deliveries, 'delivery', 'deliveries')} in ${plural(found.counterexample!.groups, 'group')} (batch`);

      const fresh = await runVibes(['replay-server', 'replay-schedule', file, '--fresh-ids'], { env: { VIBES_REPLAY_URL: buggy.client.baseUrl } });
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(fresh.stdout).toMatch(/stored under fresh ids: #0 evt_\w+/);
      // The double-grant app grants once per delivery of a known event id, and again for the fresh ids.
      const grants = async () => (await buggy.appPool.query<{ n: number }>(GRANTS_SQL, [email])).rows[0]!.n;
      await expect.poll(grants).toBe(before + 2 * found.counterexample!.deliveries);

      const bad = testInfo.outputPath('bad.ndjson');
      await writeFile(bad, '{"kind": "header", "format": "vibes-schedule", "version": 1}\nnot json\n');
      const refused = await runVibes(['replay-server', 'replay-schedule', bad, '--url', buggy.client.baseUrl]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`${bad} is not a schedule file: line 2: not valid JSON`);
      const missing = await runVibes(['replay-server', 'replay-schedule', testInfo.outputPath('none.ndjson')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot read .*none\.ndjson/);
    } finally {
      await buggy.close();
    }
  });

  test('a replay server that cannot deliver stops the fuzz with its reason, not a counterexample', async ({ databaseUrl }) => {
    const stack = await startDemoStack(databaseUrl, []);
    await stack.close();
    const error = await fuzzWebhooks(demoProperty(stack.appPool), stack.environment(PROPERTY)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FuzzSetupError);
    expect((error as Error).message).toMatch(/the fuzz could not run/);
  });
});

/** A schedule file by hand: steps as [event index, signature, cut off], one group each, over `events` events. */
function scheduleText(steps: Array<[number, string, boolean]>, events: number): string {
  const lines = [
    { kind: 'header', format: 'vibes-schedule', version: 1 },
    ...Array.from({ length: events }, (_, index) => ({ kind: 'event', index, id: `evt_placeholder${index}` })),
    ...steps.map(([event, signature, cutOff], group) => ({ kind: 'step', group, event, signature, cutOff })),
  ];
  return lines.map((line) => JSON.stringify(line)).join('\n');
}
