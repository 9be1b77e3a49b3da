import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import Stripe from 'stripe';
import { test, expect, rowsIn } from './support/fixtures.js';
import { startEmulatorHarness } from './support/emulator-harness.js';
import { loopbackSite } from './support/loopback-site.js';
import { runVibes, startVibes } from './support/cli.js';
import { NO_VIBES_SERVERS, REPO_ROOT, runPlaywright, tempProject } from './support/temp-project.js';
import { appDatabases } from '../app-database/index.js';
import { freePort } from '../core/index.js';
import { Ledger, StripeRateLimiter, findStrayStripeCustomers, sweepEntries, type RemoverContext } from '../cleanup/index.js';
import { assertSafeTarget } from '../guard/index.js';
import { CleanupRegistry } from '../helpers/cleanup.js';
import { findRunningEmbeddedPostgres, openDatabase, stopEmbeddedPostgres } from '../postgres/index.js';

const PLAYWRIGHT = fileURLToPath(new URL('../node_modules/@playwright/test/cli.js', import.meta.url));
const CRASH_PROJECT = fileURLToPath(new URL('./crash-project/playwright.config.ts', import.meta.url));

async function liveCustomers(stripe: Stripe): Promise<Stripe.Customer[]> {
  return stripe.customers.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
}

async function pendingLedgerRows(databaseUrl: string) {
  return rowsIn<{ kind: string; resource_id: string; last_error: string | null }>(databaseUrl, 'select kind, resource_id, last_error from vibes.cleanup_ledger where removed_at is null order by id');
}

test.describe('cleanup registry @db', () => {
  test('removes newest first, records each outcome, and a failure neither stops the rest nor vanishes', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      const context: RemoverContext = { stripe: harness.stripe, limiter: new StripeRateLimiter(), appDatabase: appDatabases({ db: { url: databaseUrl } }) };
      const registry = new CleanupRegistry(ledger, { run: 'r1', worker: 0, test: 'a test' }, context);
      const order: string[] = [];
      const first = await harness.stripe.customers.create({ email: 'vibes+one@example.com' });
      await registry.track('stripe-customer', first.id);
      await registry.defer('a failing removal', () => {
        order.push('failing');
        throw new Error('the app answered 500');
      });
      await registry.track('stripe-customers', 'vibes+two@example.com');
      await harness.stripe.customers.create({ email: 'vibes+two@example.com' });
      await registry.defer('the newest', () => void order.push('newest'));

      const failures = await registry.run();
      expect(order).toEqual(['newest', 'failing']);
      expect(failures).toEqual([{ label: 'a failing removal', error: 'the app answered 500' }]);
      expect(await liveCustomers(harness.stripe)).toEqual([]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([{ kind: 'custom', resource_id: 'a failing removal', last_error: 'the app answered 500' }]);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });

  test('refuses a track or defer it could not honestly run, registers nothing, and keeps every other customer', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      const context: RemoverContext = { stripe: harness.stripe, limiter: new StripeRateLimiter() };
      const run = `r-bad-${Date.now()}`;
      const registry = new CleanupRegistry(ledger, { run, worker: 0, test: 'bad input' }, context);
      const bystanders = await Promise.all(['alice@real.example', 'bob@real.example'].map((email) => harness.stripe.customers.create({ email })));
      await harness.stripe.customers.create({ name: 'no email at all' });
      // A field that is not there (customer.emailAddress), an empty id, a kind the registry cannot remove later.
      const refused: [string, string][] = [
        ["track('stripe-customers', undefined)", 'cleanup.track("stripe-customers", undefined): pass the email; nothing was registered.'],
        ["track('app-user', '')", 'cleanup.track("app-user", ""): pass the email; nothing was registered.'],
        ["track('stripe-customer', 'alice@real.example')", 'a Stripe customer id starts with cus_'],
        ["track('s3-bucket', 'my-bucket')", 'the kind must be one of stripe-customer, stripe-customers, app-user (cleanup.defer takes anything else)'],
        ["defer('widgets', undefined)", 'pass a label (a non-empty string) and the function that removes it; nothing was registered.'],
      ];
      const calls = [
        () => registry.track('stripe-customers', (bystanders[0] as unknown as { emailAddress: string }).emailAddress),
        () => registry.track('app-user', ''),
        () => registry.track('stripe-customer', 'alice@real.example'),
        () => registry.track('s3-bucket' as never, 'my-bucket'),
        () => registry.defer('widgets', undefined as never),
      ];
      calls.forEach((call, i) => expect(call, refused[i]![0]).toThrow(refused[i]![1]));
      expect(registry.pending).toEqual([]);
      expect(await registry.run()).toEqual([]);
      expect((await liveCustomers(harness.stripe)).length).toBe(3);
      expect(await ledger.pending({ run })).toEqual([]);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });

  test('a removal that hangs fails after its time limit, and the older ones still run; a Stripe removal slowed by the rate limit is not cut off', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      // Two Stripe requests a second: listing and deleting three customers takes about 2 s, four times the limit.
      const context: RemoverContext = { stripe: harness.stripe, limiter: new StripeRateLimiter({ perSecond: 2 }) };
      const registry = new CleanupRegistry(ledger, { run: `r-hang-${Date.now()}`, worker: 0, test: 'a hang' }, context, { removalTimeoutMs: 500 });
      for (let i = 0; i < 3; i++) await harness.stripe.customers.create({ email: 'vibes+hang@example.com' });
      await registry.track('stripe-customers', 'vibes+hang@example.com');
      await registry.defer('hangs forever', () => new Promise(() => {}));
      expect(await registry.run()).toEqual([{ label: 'hangs forever', error: 'did not finish within 0.5 s' }]);
      expect(await liveCustomers(harness.stripe)).toEqual([]);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });
});

// No database: the framework-server project would run it again for nothing.
test.describe('cleanup registry, against a rate-limited Stripe', () => {
  test('stays under the rate limit and recovers from 429 with backoff (emulator --rate-limit 25)', async () => {
    const harness = await startEmulatorHarness({ rateLimit: 25 });
    try {
      let backoffs = 0;
      // Asking for twice the allowed rate provokes Stripe's 429s; none of them may surface.
      const limiter = new StripeRateLimiter({ perSecond: 50, onBackoff: () => backoffs++ });
      const created = await Promise.all(
        Array.from({ length: 60 }, (_, i) => limiter.call(() => harness.stripe.customers.create({ email: `vibes+rate${i}@example.com` }))),
      );
      expect(created).toHaveLength(60);
      expect(backoffs).toBeGreaterThan(0);
      await Promise.all(created.map((c) => limiter.call(() => harness.stripe.customers.del(c.id))));
      expect(await limiter.call(() => liveCustomers(harness.stripe))).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});

// No database either: the backstop asks Stripe alone.
test.describe('the stray backstop', () => {
  test("a customer's age is from the second Stripe stamped on it: one made this very second is 0 s old, not younger", async () => {
    const harness = await startEmulatorHarness();
    try {
      const context: RemoverContext = { stripe: harness.stripe, limiter: new StripeRateLimiter() };
      const made = await harness.stripe.customers.create({ email: 'vibes+now@example.com' });
      // What `vibes sweep --older-than 0s` asks for when it runs within the second the customer was made.
      expect(await findStrayStripeCustomers(harness.stripe, context, { createdAtOrBefore: made.created })).toEqual([made.id]);
      expect(await findStrayStripeCustomers(harness.stripe, context, { createdAtOrBefore: made.created - 1 })).toEqual([]);
    } finally {
      await harness.close();
    }
  });
});

test.describe('cleanup across Stripes @db', () => {
  test('an entry remembers its Stripe: a test-mode one is never "removed" by asking an emulator, an emulator one is not looked for in test mode', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      const inEmulator: RemoverContext = { stripe: harness.stripe, limiter: new StripeRateLimiter(), stripeMode: 'emulator', emulatorUrl: harness.emulator.url };
      const registry = new CleanupRegistry(ledger, { run: 'this-run', worker: 0, test: 't' }, inEmulator);
      await registry.track('stripe-customers', 'vibes+here@example.com');
      await registry.track('app-user', 'vibes+here@example.com');
      expect(await rowsIn(databaseUrl, "select kind, stripe, stripe_url from vibes.cleanup_ledger where run_id = 'this-run' order by id"))
        .toEqual([{ kind: 'stripe-customers', stripe: 'emulator', stripe_url: harness.emulator.url }, { kind: 'app-user', stripe: null, stripe_url: null }]);

      // A killed test-mode run's customer, and a lookalike in the emulator the next run talks to.
      const lookalike = await harness.stripe.customers.create({ email: 'vibes+paid@example.com' });
      await ledger.register({ run_id: 'test-mode-run', worker: 0, test: 't', kind: 'stripe-customers', resource_id: 'vibes+paid@example.com', label: 'Stripe customers of vibes+paid@example.com', stripe: 'test-mode' });
      // A killed emulator run's customer; the next run is in test mode (here: told so).
      const emulated = await harness.stripe.customers.create({ email: 'vibes+emulated@example.com' });
      await ledger.register({ run_id: 'emulator-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: emulated.id, label: `Stripe customer ${emulated.id}`, stripe: 'emulator' });
      const [testModeEntry, emulatorEntry] = (await ledger.pending()).filter((e) => e.run_id !== 'this-run');

      const fromEmulator = await sweepEntries([testModeEntry!], ledger, inEmulator);
      expect(fromEmulator.failed).toEqual([{ label: 'Stripe customers of vibes+paid@example.com', error: expect.stringContaining('made in Stripe test mode') }]);
      const fromTestMode = await sweepEntries([emulatorEntry!], ledger, { ...inEmulator, stripeMode: 'test-mode' });
      expect(fromTestMode).toMatchObject({ removed: 1, failed: [] });
      // `vibes sweep` naming no Stripe: that emulator may still run (a compose stack) or be gone. Its
      // entry stays pending, neither failed (an exit 1 on every later sweep) nor counted removed.
      const another = await harness.stripe.customers.create({ email: 'vibes+emulated2@example.com' });
      await ledger.register({ run_id: 'emulator-run-2', worker: 0, test: 't', kind: 'stripe-customer', resource_id: another.id, label: `Stripe customer ${another.id}`, stripe: 'emulator' });
      const noStripe = await runVibes(['sweep', '--older-than', '0s', '--no-strays'], { env: { VIBES_DATABASE_URL: databaseUrl, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
      expect(noStripe.stdout).toMatch(/left \d+ entr(y|ies) made in a Stripe emulator: set STRIPE_EMULATOR_URL to that emulator to remove them there/);
      expect((await ledger.pending()).filter((e) => e.run_id === 'emulator-run-2').map((e) => e.last_error)).toEqual([null]);

      // Entries that name their emulator: one that still answers is asked; one that has stopped
      // took its customers with it, and they are marked removed, not left for a person to find.
      const inLiveEmulator = await harness.stripe.customers.create({ email: 'vibes+live@example.com' });
      const stopped = `http://127.0.0.1:${await freePort()}`;
      await ledger.register({ run_id: 'emulator-run-3', worker: 0, test: 't', kind: 'stripe-customer', resource_id: inLiveEmulator.id, label: `Stripe customer ${inLiveEmulator.id}`, stripe: 'emulator', stripe_url: harness.emulator.url });
      await ledger.register({ run_id: 'emulator-run-3', worker: 0, test: 't', kind: 'stripe-customers', resource_id: 'vibes+gone@example.com', label: 'Stripe customers of vibes+gone@example.com', stripe: 'emulator', stripe_url: stopped });
      const sweepEnv = { VIBES_DATABASE_URL: databaseUrl, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined };
      const dry = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--dry-run'], { env: sweepEnv });
      expect(dry.stdout).toContain(`would mark 1 entry removed: made in the Stripe emulator at ${stopped}, which no longer runs, and its customers went with it`);
      expect(dry.stdout).toContain(`1 entry made in the Stripe emulator at ${harness.emulator.url}, which still answers: would be removed there`);
      expect((await ledger.pending()).filter((e) => e.run_id === 'emulator-run-3')).toHaveLength(2);
      const named = await runVibes(['sweep', '--older-than', '0s', '--no-strays'], { env: sweepEnv });
      expect(named.stderr).not.toContain(inLiveEmulator.id);
      expect(named.stderr).not.toContain('vibes+gone@example.com');
      expect(named.stdout).toContain(`marked 1 entry removed: made in the Stripe emulator at ${stopped}, which no longer runs`);
      expect((await ledger.pending()).filter((e) => e.run_id === 'emulator-run-3')).toEqual([]);
      expect((await harness.stripe.customers.retrieve(inLiveEmulator.id)).deleted).toBe(true);

      expect((await liveCustomers(harness.stripe)).map((c) => c.id).sort()).toEqual([lookalike.id, emulated.id, another.id].sort());
      expect((await pendingLedgerRows(databaseUrl)).filter((r) => r.resource_id === 'vibes+paid@example.com'))
        .toEqual([{ kind: 'stripe-customers', resource_id: 'vibes+paid@example.com', last_error: expect.stringContaining('STRIPE_SECRET_KEY') }]);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });
});

test.describe('cleanup across deployments @db', () => {
  test('an app user removed over HTTP at a path goes to the base URL it was made on, also when a later run sweeps it', async ({ databaseUrl }) => {
    const calls: string[] = [];
    const site = (name: string) => loopbackSite((req) => (calls.push(`${name} ${req.method} ${req.url}`), { status: 404 }));
    const [made, sweeping] = await Promise.all([site('preview-a'), site('preview-b')]);
    const ledger = await Ledger.open(databaseUrl);
    try {
      const removal = {
        limiter: new StripeRateLimiter(),
        appUser: { url: '/api/test/users' },
        assertSafeUrl: (target) => assertSafeTarget({ config: { productionHosts: ['app.example.com'] }, urls: [target] }),
      } satisfies RemoverContext;
      // A run on preview A registers its user and is killed before its cleanup.
      await new CleanupRegistry(ledger, { run: 'killed-run', worker: 0, test: 't' }, { ...removal, baseURL: made.url }).track('app-user', 'vibes+a@example.com');
      // An older entry, from before base URLs were recorded: where its user lives is unknown.
      await ledger.register({ run_id: 'old-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+old@example.com', label: 'app user vibes+old@example.com' });
      // One made on a host listed as production since: the guard stops the request.
      await ledger.register({ run_id: 'old-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+prod@example.com', label: 'app user vibes+prod@example.com', base_url: 'https://app.example.com' });
      expect(await rowsIn(databaseUrl, 'select resource_id, base_url from vibes.cleanup_ledger order by id')).toEqual([
        { resource_id: 'vibes+a@example.com', base_url: made.url },
        { resource_id: 'vibes+old@example.com', base_url: null },
        { resource_id: 'vibes+prod@example.com', base_url: 'https://app.example.com' },
      ]);

      // The next run is on preview B: the 404 there would have counted as removed.
      const result = await sweepEntries(await ledger.pending(), ledger, { ...removal, baseURL: sweeping.url });
      expect(calls).toEqual(['preview-a DELETE /api/test/users?email=vibes%2Ba%40example.com']);
      expect(result.removed).toBe(1);
      expect(result.failed).toEqual([
        { label: 'app user vibes+old@example.com', error: expect.stringContaining('cleanup.appUser.url "/api/test/users" is a path, and this entry does not say which base URL its user was made on') },
        { label: 'app user vibes+prod@example.com', error: expect.stringContaining('✗ not a production URL: cleanup.appUser.url — its host app.example.com is listed as a production host') },
      ]);
      expect((await ledger.pending()).map((e) => e.resource_id)).toEqual(['vibes+old@example.com', 'vibes+prod@example.com']);
    } finally {
      await ledger.close();
      await Promise.all([made.close(), sweeping.close()]);
    }
  });
});

test.describe('the ledger @db', () => {
  test("a run whose liveness connection drops (Postgres restarted, the session killed) warns once and goes on, not crashes", async ({ databaseUrl }) => {
    // A process of its own, as a worker is: an 'error' event nobody listens to would end it.
    const cleanup = pathToFileURL(path.join(REPO_ROOT, 'dist', 'cleanup', 'index.js')).href;
    const script = `
      import { Ledger } from ${JSON.stringify(cleanup)};
      const ledger = await Ledger.open(process.env.LEDGER_URL, { holdRun: 'held-run' });
      console.log('HOLDING');
      process.stdin.resume();
      process.stdin.once('end', async () => {
        await ledger.register({ run_id: 'held-run', worker: 0, test: 't', kind: 'custom', resource_id: 'after', label: 'registered after the drop' });
        await ledger.close();
      });`;
    const child = watch(spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, LEDGER_URL: databaseUrl }, stdio: ['pipe', 'pipe', 'pipe'] }));
    await child.printed(/HOLDING/);
    const [terminated] = await rowsIn<{ pg_terminate_backend: boolean }>(databaseUrl,
      "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and mode = 'ShareLock' and database = (select oid from pg_database where datname = current_database())");
    expect(terminated?.pg_terminate_backend).toBe(true);
    // The warning, or the crash this fix is about: whichever comes first.
    await Promise.race([child.printed(/lost its connection to Postgres/), child.exited]);
    if (child.process.exitCode === null) child.process.stdin!.end();
    expect(await child.exited, child.output()).toBe(0);
    expect(child.output().match(/lost its connection to Postgres/g), child.output()).toHaveLength(1);
    // The pool's other connections still work: the run goes on recording.
    expect(await rowsIn(databaseUrl, 'select label from vibes.cleanup_ledger')).toEqual([{ label: 'registered after the drop' }]);
  });

  test('a closing run is not told it lost its lock when the server ends the connection first, and close() waits for the lock to go', async ({ databaseUrl }) => {
    const ledger = await Ledger.open(databaseUrl, { holdRun: 'closing-run' });
    const heldBy = () => rowsIn<{ pid: number }>(databaseUrl,
      "select pid from pg_locks where locktype = 'advisory' and mode = 'ShareLock' and database = (select oid from pg_database where datname = current_database())");
    const [backend] = await heldBy();
    // Only a backend that is a process of this machine (not of a container's) can be paused.
    const command = await readFile(`/proc/${backend!.pid}/comm`, 'utf8').catch(() => '');
    test.skip(command.trim() !== 'postgres', `pid ${backend!.pid} is not a Postgres process of this machine (Postgres in a container, or no /proc): nothing to pause`);
    // Paused, the backend reads neither the goodbye nor its termination until it goes on, and then
    // ends with "terminating connection": a database dropped or a cluster stopped at a run's end.
    try {
      process.kill(backend!.pid, 'SIGSTOP');
    } catch (error) {
      test.skip((error as NodeJS.ErrnoException).code === 'EPERM', 'the Postgres backend belongs to another user, so this process cannot pause it');
      throw error;
    }
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const closing = ledger.close();
      await rowsIn(databaseUrl, `select pg_terminate_backend(${backend!.pid})`);
      resume(backend!.pid);
      await closing;
      expect(await heldBy()).toEqual([]);
      // An error from the connection, had it outlived close(), would arrive within milliseconds.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      resume(backend!.pid);
      console.warn = warn;
    }
    expect(warnings).toEqual([]);
  });
});

/** Lets a paused process go on; one that has already ended has nothing to resume. */
function resume(pid: number): void {
  try {
    process.kill(pid, 'SIGCONT');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

test.describe('crash recovery @db', () => {
  test('a run killed with SIGKILL mid-test leaves nothing behind after the next run', async ({ databaseUrl }) => {
    test.setTimeout(120_000);
    const harness = await startEmulatorHarness();
    const replay = await startVibes(['replay-server', '--port', '0', '--database-url', databaseUrl]);
    const env = { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl, VIBES_REPLAY_URL: replay.url };
    try {
      const killed = runCrashProject(env, ['--grep', 'hangs']);
      await killed.printed(/CREATED (\S+)/);
      killed.kill();
      await killed.exited;
      expect(await liveCustomers(harness.stripe)).toHaveLength(1);
      expect((await pendingLedgerRows(databaseUrl)).map((r) => r.kind)).toEqual(['stripe-customers']);

      const next = runCrashProject(env, ['--grep', 'ordinary']);
      expect(await next.exited, next.output()).toBe(0);
      expect(next.output()).toContain('removed 1 of 1 leftovers of killed runs');
      expect(await liveCustomers(harness.stripe)).toEqual([]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([]);

      // With no database for the ledger (none named, no embedded Postgres running), the run says what it cannot do.
      const noLedger = runCrashProject({ ...env, VIBES_DATABASE_URL: '', DATABASE_URL: '', VIBES_DATA_DIR: path.join(tmpdir(), 'vibes-no-cluster-here') }, ['--grep', 'ordinary']);
      expect(await noLedger.exited, noLedger.output()).toBe(0);
      expect(noLedger.output()).toContain('vibes: no database for the cleanup ledger, so a run killed mid-test leaves its test data behind');
      expect(noLedger.output()).toContain('set VIBES_DATABASE_URL (in .env.test) to a Postgres for the ledger');
    } finally {
      await replay.stop();
      await harness.close();
    }
  });

  test('a leftover the next run cannot remove stays in the ledger and is reported, and the run goes on', async ({ databaseUrl }) => {
    test.setTimeout(120_000);
    const harness = await startEmulatorHarness();
    const replay = await startVibes(['replay-server', '--port', '0', '--database-url', databaseUrl]);
    const ledger = await Ledger.open(databaseUrl);
    // Not under test-results: a run beside this one clears that folder when it starts.
    const reportDir = await mkdtemp(path.join(tmpdir(), 'vibes-report-'));
    const report = path.join(reportDir, 'report.json');
    const env = { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl, VIBES_REPLAY_URL: replay.url, PLAYWRIGHT_JSON_OUTPUT_FILE: report };
    try {
      // A dead run's leftovers: a customer, and an app user the crash project has no removal for.
      const customer = await harness.stripe.customers.create({ email: 'vibes+dead@example.com' });
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: customer.id, label: `Stripe customer ${customer.id}` });
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+dead@example.com', label: 'app user vibes+dead@example.com' });

      const next = runCrashProject(env, ['--grep', 'ordinary', '--reporter=line,json']);
      expect(await next.exited, next.output()).toBe(0);
      expect(next.output()).toContain('removed 1 of 2 leftovers of killed runs');
      expect(next.output()).toContain('1 leftover of killed runs could not be removed; it stays in the ledger and the next run retries it. Remove it with `npx vibes sweep');
      expect(next.output()).toContain('  app user vibes+dead@example.com: no appUser removal configured');
      const annotations = annotationsIn(JSON.parse(await readFile(report, 'utf8')));
      expect(annotations).toContainEqual({ type: 'vibes-cleanup-leftovers-failed', description: expect.stringContaining('app user vibes+dead@example.com: no appUser removal configured') });
      expect(await liveCustomers(harness.stripe)).toEqual([]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([{ kind: 'app-user', resource_id: 'vibes+dead@example.com', last_error: expect.stringContaining('vibes sweep does not read the config: pass it the same as --app-user-sql or --app-user-url') }]);
    } finally {
      await ledger.close();
      await replay.stop();
      await harness.close();
      await rm(reportDir, { recursive: true, force: true });
    }
  });

  test('a run whose tests all pass fails at its end when a removal failed, naming it; the ledger keeps it', async ({ databaseUrl }) => {
    test.setTimeout(120_000);
    const harness = await startEmulatorHarness();
    const replay = await startVibes(['replay-server', '--port', '0', '--database-url', databaseUrl]);
    try {
      const run = runCrashProject({ STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl, VIBES_REPLAY_URL: replay.url }, ['--grep', 'removal it deferred fails']);
      expect(await run.exited, run.output()).toBe(1);
      // The test itself passed; the run's closing check is what fails.
      const plain = stripVTControlCharacters(run.output());
      expect(plain).toMatch(/ 1 failed\n\s+\[vibes-teardown\] › helpers\/setup\/vibes\.teardown\.ts:\d+:\d+ › every test removed what it created/);
      expect(plain).toMatch(/ 4 passed/);
      expect(run.output()).toContain('1 removal of this run failed and stays in the ledger; the next run retries it, or now `npx vibes sweep --older-than 0s`');
      expect(run.output()).toContain('  a record the app keeps (leftovers.crash.ts › passes, but a removal it deferred fails): the app answered 500');
      expect(await pendingLedgerRows(databaseUrl)).toEqual([expect.objectContaining({ kind: 'custom', last_error: 'the app answered 500' })]);
    } finally {
      await replay.stop();
      await harness.close();
    }
  });

  test("removes no leftover when the setup's safety guard refuses the target", async ({ databaseUrl }) => {
    test.setTimeout(60_000);
    // defineVibesConfig checks its own baseURL; this one comes from the Playwright `use`, which
    // only the setup's guard sees.
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
      'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ guard: { productionHosts: ['app.prod.example.com'] } }, { testDir: './e2e', use: { baseURL: 'https://app.prod.example.com' } });
`,
      'e2e/a.spec.ts': `import { test } from 'playwright-vibes';\ntest('a test', () => {});\n`,
    });
    const ledger = await Ledger.open(databaseUrl);
    try {
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+dead@example.com', label: 'app user vibes+dead@example.com' });
      const run = await runPlaywright(project, ['--reporter=list'], { VIBES_DATABASE_URL: databaseUrl, ...NO_VIBES_SERVERS });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain('✗ not a production URL: baseURL — its host app.prod.example.com is listed as a production host');
      expect(await rowsIn(databaseUrl, 'select attempts, removed_at from vibes.cleanup_ledger')).toEqual([{ attempts: 0, removed_at: null }]);
    } finally {
      await ledger.close();
      await project.remove();
    }
  });
});

test.describe('cleanup options', () => {
  test('cleanup.removalTimeoutMs in defineVibesConfig sets how long a deferred removal may take', async () => {
    test.setTimeout(60_000);
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
      'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ cleanup: { removalTimeoutMs: 300 } }, { testDir: './e2e' });\n",
      'e2e/a.spec.ts': "import { test } from 'playwright-vibes';\ntest('a slow removal', async ({ cleanup }) => {\n  await cleanup.defer('slow widgets', () => new Promise((resolve) => setTimeout(resolve, 3000)));\n});\n",
    });
    try {
      // No ledger (no database named, no cluster running): the removal's outcome is the test's alone.
      const run = await runPlaywright(project, ['--reporter=list,playwright-vibes/reporter', '--no-deps', '--project=chromium'], {
        ...NO_VIBES_SERVERS, VIBES_DATABASE_URL: '', DATABASE_URL: '', VIBES_DATA_DIR: path.join(project.dir, 'no-cluster'),
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('cleanup       0 removed, 1 left behind');
    } finally {
      await project.remove();
    }
  });
});

test.describe('vibes sweep @db', () => {
  test('dry run, then removal with a progress line and a final count, then the backstop for untracked customers', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      const tracked = await harness.stripe.customers.create({ email: 'vibes+tracked@example.com' });
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: tracked.id, label: `Stripe customer ${tracked.id}` });
      await harness.stripe.customers.create({ email: 'vibes+stray@example.com' });
      const bystander = await harness.stripe.customers.create({ email: 'someone@example.com' });
      const env = { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl };

      // By default only what is an hour old: these are not, and the sweep says what it left.
      const young = await runVibes(['sweep', '--dry-run'], { env });
      expect(young.code, young.stderr).toBe(0);
      expect(young.stdout).toContain('left 1 entry younger than 1h (--older-than)');
      expect(young.stdout).toContain('Stripe: 0 customers with the test prefix vibes+, made at least 1h ago, and no ledger entry');
      expect(young.stdout).toContain('vibes sweep: would remove 0, failed 0');

      const dry = await runVibes(['sweep', '--dry-run', '--older-than', '0s'], { env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`would remove Stripe customer ${tracked.id}`);
      // The ledger's entry and the stray: the total counts what the lines above it list.
      expect(dry.stdout).toContain('vibes sweep: would remove 2, failed 0');
      expect(await liveCustomers(harness.stripe)).toHaveLength(3);

      const real = await runVibes(['sweep', '--older-than', '0s'], { env });
      expect(real.code, real.stderr).toBe(0);
      expect(real.stderr).toContain('vibes sweep: ledger 1/1');
      expect(real.stdout).toContain('1 customer with the test prefix vibes+ and no ledger entry');
      expect(real.stdout).toContain('vibes sweep: removed 2, failed 0');
      expect((await liveCustomers(harness.stripe)).map((c) => c.id)).toEqual([bystander.id]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([]);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });

  test("runs --app-user-sql on the app's database (DATABASE_URL or --app-database-url), not the ledger's, and refuses a production one", async ({ databaseUrl, secondDatabaseUrl: appDatabaseUrl }) => {
    const ledger = await Ledger.open(databaseUrl);
    try {
      // The same table in both databases: only the app's may lose a row.
      for (const url of [databaseUrl, appDatabaseUrl]) {
        await rowsIn(url, 'create table users (email text primary key)');
        await rowsIn(url, "insert into users values ('vibes+one@example.com'), ('vibes+two@example.com'), ('someone@example.com')");
      }
      const register = (email: string) => ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: email, label: `app user ${email}` });
      await register('vibes+one@example.com');
      const sweep = (args: string[], env: NodeJS.ProcessEnv) =>
        runVibes(['sweep', '--older-than', '0s', '--no-strays', '--app-user-sql', 'delete from users where email = $1', ...args], { env: { VIBES_DATABASE_URL: databaseUrl, ...env } });

      const refused = await sweep(['--app-database-url', 'postgres://app:s3cret@db.prod.example.com/app'], { DATABASE_URL: appDatabaseUrl });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('--app-database-url — it points at database "app" on db.prod.example.com');
      expect(refused.stderr).not.toContain('s3cret');
      expect(await pendingLedgerRows(databaseUrl)).toHaveLength(1);

      const viaEnv = await sweep([], { DATABASE_URL: appDatabaseUrl });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      expect(viaEnv.stdout).toContain('vibes sweep: removed 1, failed 0');

      await register('vibes+two@example.com');
      const viaFlag = await sweep(['--app-database-url', appDatabaseUrl], { DATABASE_URL: undefined });
      expect(viaFlag.code, viaFlag.stderr).toBe(0);
      expect(viaFlag.stdout).toContain('vibes sweep: removed 1, failed 0');

      expect(await rowsIn(appDatabaseUrl, 'select email from users')).toEqual([{ email: 'someone@example.com' }]);
      expect(await rowsIn(databaseUrl, 'select email from users order by email')).toHaveLength(3);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  test('an app-user entry stays pending, with a clear error, until the sweep is told how to remove it', async ({ databaseUrl }) => {
    const ledger = await Ledger.open(databaseUrl);
    try {
      await rowsIn(databaseUrl, "create table users (email text primary key); insert into users values ('vibes+one@example.com')");
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+one@example.com', label: 'app user vibes+one@example.com' });
      const env = { VIBES_DATABASE_URL: databaseUrl, DATABASE_URL: databaseUrl };

      // The dry run does not promise what the sweep would fail at.
      const dry = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--dry-run'], { env });
      expect(dry.stdout).toContain('cannot remove app user vibes+one@example.com (run dead-run, t): no app-user removal given; pass --app-user-sql or --app-user-url');
      expect(dry.stdout).not.toContain('would remove app user');
      const dryTold = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--dry-run', '--app-user-sql', 'delete from users where email = $1'], { env });
      expect(dryTold.stdout).toContain('would remove app user vibes+one@example.com (run dead-run, t)');

      const untold = await runVibes(['sweep', '--older-than', '0s', '--no-strays'], { env });
      expect(untold.code).toBe(1);
      expect(untold.stderr).toContain('failed: app user vibes+one@example.com: no appUser removal configured');
      expect(untold.stderr).toContain('vibes sweep does not read the config: pass it the same as --app-user-sql or --app-user-url');
      expect(untold.stdout).toContain('vibes sweep: removed 0, failed 1');
      expect(await pendingLedgerRows(databaseUrl)).toEqual([{ kind: 'app-user', resource_id: 'vibes+one@example.com', last_error: expect.stringContaining('no appUser removal configured') }]);

      const told = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--app-user-sql', 'delete from users where email = $1'], { env });
      expect(told.code, told.stderr).toBe(0);
      expect(await rowsIn(databaseUrl, 'select email from users')).toEqual([]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  test('--app-user-url removes over HTTP, a path on the base URL each user was made on, with the --app-user-header given', async ({ databaseUrl }) => {
    const seen: { path: string; method?: string; authorization?: string }[] = [];
    const site = await loopbackSite((req) => (seen.push({ path: req.url!, method: req.method, authorization: req.headers.authorization }), { status: 200 }));
    const ledger = await Ledger.open(databaseUrl);
    try {
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+one@example.com', label: 'app user vibes+one@example.com', base_url: site.url });
      const env = { VIBES_DATABASE_URL: databaseUrl };
      const both = await runVibes(['sweep', '--app-user-sql', 'delete from users', '--app-user-url', '/api/test/users'], { env });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain("option '--app-user-url <url>' cannot be used with option '--app-user-sql <sql>'");
      const headerWithSql = await runVibes(['sweep', '--app-user-sql', 'delete from users', '--app-user-header', 'Authorization: Bearer x'], { env });
      expect(headerWithSql.code).toBe(2);
      expect(headerWithSql.stderr).toContain("option '--app-user-header <\"Name: value\">' cannot be used with option '--app-user-sql <sql>'");
      const twice = await runVibes(['sweep', '--app-user-url', '/api/test/users', '--app-user-header', 'Authorization: Bearer a', '--app-user-header', 'authorization: Bearer b'], { env });
      expect(twice.code).toBe(2);
      expect(twice.stderr).toContain('--app-user-header: the header authorization is given twice (header names ignore case); pass each header once.');
      const notHttp = await runVibes(['sweep', '--app-user-url', 'localhost:3000/api/test/users'], { env });
      expect(notHttp.code).toBe(2);
      expect(notHttp.stderr).toContain('--app-user-url "localhost:3000/api/test/users" is neither an http(s) URL (http://…) nor a path (/api/test/users).');

      const swept = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--app-user-url', '/api/test/users', '--app-user-header', 'Authorization: Bearer t0k3n'], { env });
      expect(swept.code, swept.stderr).toBe(0);
      expect(seen).toEqual([{ path: '/api/test/users?email=vibes%2Bone%40example.com', method: 'DELETE', authorization: 'Bearer t0k3n' }]);
      expect(await pendingLedgerRows(databaseUrl)).toEqual([]);
    } finally {
      await ledger.close();
      await site.close();
    }
  });

  test('lists the cleanup.defer() removals of dead runs for a person, and forgets them once told they were done by hand', async ({ databaseUrl }) => {
    const ledger = await Ledger.open(databaseUrl);
    try {
      const run = `killed-${Date.now()}`;
      await ledger.register({ run_id: run, worker: 0, test: 't', kind: 'custom', resource_id: 'widgets of vibes+w@example.com', label: 'widgets of vibes+w@example.com' });
      const env = { VIBES_DATABASE_URL: databaseUrl, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined };
      const listed = await runVibes(['sweep', '--older-than', '0s', '--no-strays'], { env });
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain(`remove by hand: widgets of vibes+w@example.com (run ${run}, t)`);
      expect(listed.stdout).toContain('once done, `vibes sweep --removed-by-hand` marks it removed');
      const dry = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--removed-by-hand', '--dry-run'], { env });
      expect(dry.stdout).toContain('would mark removed by hand: widgets of vibes+w@example.com');
      const pendingOfRun = async () => (await ledger.pending({ run })).map((e) => e.label);
      expect(await pendingOfRun()).toEqual(['widgets of vibes+w@example.com']);

      const done = await runVibes(['sweep', '--older-than', '0s', '--no-strays', '--removed-by-hand'], { env });
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain('marked removed by hand: widgets of vibes+w@example.com');
      expect(await pendingOfRun()).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  test('leaves the entries of runs still going, and the customers they name, to those runs', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    // Another shard's run, still going: its process holds the run's lock.
    const live = await Ledger.open(databaseUrl, { holdRun: 'live-run' });
    try {
      const byEmail = await harness.stripe.customers.create({ email: 'vibes+live@example.com' });
      const byId = await harness.stripe.customers.create({ email: 'vibes+live2@example.com' });
      const dead = await harness.stripe.customers.create({ email: 'vibes+dead@example.com' });
      await live.register({ run_id: 'live-run', worker: 0, test: 't', kind: 'stripe-customers', resource_id: byEmail.email!, label: `Stripe customers of ${byEmail.email}` });
      await live.register({ run_id: 'live-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: byId.id, label: `Stripe customer ${byId.id}` });
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: dead.id, label: `Stripe customer ${dead.id}` });
      // A fuzz subject is recorded as an app user only; the customer its app made for it is the live run's too.
      const subject = await harness.stripe.customers.create({ email: 'vibes+fuzz@example.com' });
      await live.register({ run_id: 'live-run', worker: 0, test: 't', kind: 'app-user', resource_id: subject.email!, label: `fuzz subject ${subject.email}` });
      const stray = await harness.stripe.customers.create({ email: 'vibes+stray@example.com' });
      const env = { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl };

      const dry = await runVibes(['sweep', '--dry-run', '--older-than', '0s'], { env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('1 entry to remove');
      expect(dry.stdout).toContain('left 3 entries of runs still going');
      expect(dry.stdout).toContain('Stripe: 1 customer with the test prefix vibes+ and no ledger entry');
      expect(dry.stdout).toContain(`would remove Stripe customer ${stray.id}`);

      const real = await runVibes(['sweep', '--older-than', '0s'], { env });
      expect(real.code, real.stderr).toBe(0);
      expect(real.stdout).toContain('left 3 entries of runs still going');
      expect(real.stdout).toContain('vibes sweep: removed 2, failed 0');
      expect((await liveCustomers(harness.stripe)).map((c) => c.id).sort()).toEqual([byEmail.id, byId.id, subject.id].sort());
      expect((await pendingLedgerRows(databaseUrl)).map((r) => r.resource_id)).toEqual([byEmail.email, byId.id, subject.email]);
    } finally {
      await live.close();
      await ledger.close();
      await harness.close();
    }
  });

  test('an --email-prefix with a quote or backslash is escaped in the Stripe search, not pasted into it', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    try {
      await harness.stripe.customers.create({ email: "o'brien+one@example.com" });
      await harness.stripe.customers.create({ email: 'back\\slash+one@example.com' });
      const other = await harness.stripe.customers.create({ email: 'obrien+one@example.com' });
      const env = { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl };
      for (const prefix of ["o'brien+", 'back\\slash+']) {
        const sweep = await runVibes(['sweep', '--older-than', '0s', '--email-prefix', prefix], { env });
        expect(sweep.code, sweep.stderr).toBe(0);
        expect(sweep.stdout).toContain(`1 customer with the test prefix ${prefix} and no ledger entry`);
      }
      expect((await liveCustomers(harness.stripe)).map((c) => c.id)).toEqual([other.id]);
    } finally {
      await harness.close();
    }
  });

  test('refuses a production target before touching anything', async ({ databaseUrl }) => {
    const harness = await startEmulatorHarness();
    const ledger = await Ledger.open(databaseUrl);
    try {
      const customer = await harness.stripe.customers.create({ email: 'vibes+kept@example.com' });
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'stripe-customer', resource_id: customer.id, label: 'kept' });
      const result = await runVibes(['sweep', '--older-than', '0s'], {
        env: { STRIPE_EMULATOR_URL: harness.emulator.url, VIBES_DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('NODE_ENV — it is "production"');
      expect(await liveCustomers(harness.stripe)).toHaveLength(1);
      expect(await pendingLedgerRows(databaseUrl)).toHaveLength(1);
    } finally {
      await ledger.close();
      await harness.close();
    }
  });
});

test.describe('vibes sweep, embedded Postgres', () => {
  test('with no database URL: no ledger when nothing ran here; else starts the cluster a finished run stopped, sweeps it and stops it again', async () => {
    test.setTimeout(90_000);
    const dir = await mkdtemp(path.join(tmpdir(), 'vibes-sweep-test-'));
    await chmod(dir, 0o711); // as root, the cluster runs as "postgres", which must get in
    const dataDir = path.join(dir, 'pg');
    const env = { VIBES_DATABASE_URL: undefined, DATABASE_URL: undefined };
    const sweep = (...args: string[]) => runVibes(['sweep', '--older-than', '0s', '--data-dir', dataDir, ...args], { env });
    try {
      const nothing = await sweep();
      expect(nothing.code, nothing.stderr).toBe(0);
      expect(nothing.stdout).toContain(`no ledger: no database URL, and no embedded Postgres at ${dataDir}`);
      expect(nothing.stdout).toContain('vibes sweep: removed 0, failed 0');
      expect(existsSync(dataDir), 'a sweep never creates a cluster').toBe(false);

      // What a finished run leaves: a stopped cluster whose ledger still names a user.
      const run = await openDatabase({ dataDir });
      await run.pool.query("create table users (email text primary key); insert into users values ('vibes+left@example.com'), ('someone@example.com')");
      const ledger = await Ledger.open(run.url);
      await ledger.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+left@example.com', label: 'app user vibes+left@example.com' });
      await ledger.close();
      await run.close();

      const swept = await sweep('--app-user-sql', 'delete from users where email = $1');
      expect(swept.code, swept.stderr).toBe(0);
      expect(swept.stdout).toContain('ledger at postgres://');
      expect(swept.stdout).toContain('vibes sweep: removed 1, failed 0');
      expect(await findRunningEmbeddedPostgres(dataDir), 'the sweep stops the cluster it started').toBeUndefined();

      const after = await openDatabase({ dataDir });
      try {
        expect((await after.pool.query('select email from users')).rows).toEqual([{ email: 'someone@example.com' }]);
        expect(await pendingLedgerRows(after.url)).toEqual([]);
        const again = await Ledger.open(after.url);
        await again.register({ run_id: 'dead-run', worker: 0, test: 't', kind: 'app-user', resource_id: 'vibes+stays@example.com', label: 'app user vibes+stays@example.com' });
        await again.close();
      } finally {
        await after.close();
      }
      // A removal that fails exits 1 here too: the cluster's exit hook must not make it 0.
      const failing = await sweep();
      expect(failing.stdout).toContain('vibes sweep: removed 0, failed 1');
      expect(failing.code, failing.stdout + failing.stderr).toBe(1);
    } finally {
      await stopEmbeddedPostgres(dataDir).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function runCrashProject(env: NodeJS.ProcessEnv, args: string[]) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const name of ['VIBES_PORTS', 'VIBES_RUN_ID', 'CI', 'TEST_WORKER_INDEX', 'TEST_PARALLEL_INDEX']) delete childEnv[name];
  // Its own process group, so the kill takes the whole run (runner and workers) as a CI timeout does.
  const child = spawn(process.execPath, [PLAYWRIGHT, 'test', '--config', CRASH_PROJECT, ...args], { env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ...watch(child), kill: () => process.kill(-child.pid!, 'SIGKILL') };
}

/** A child's output (stdout and stderr together), its exit code, and a wait for a line it prints. */
function watch(child: ChildProcess) {
  let output = '';
  const listeners: (() => void)[] = [];
  const onData = (c: Buffer) => {
    output += c.toString();
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    process: child,
    exited,
    output: () => output,
    printed: (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) resolve(match);
        };
        listeners.push(check);
        void exited.then(() => reject(new Error(`the process ended before printing ${pattern}:\n${output}`)));
        check();
      }),
  };
}

/** Every annotation in a Playwright JSON report, whichever test or result carries it. */
function annotationsIn(node: unknown): { type: string; description?: string }[] {
  if (Array.isArray(node)) return node.flatMap(annotationsIn);
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => (key === 'annotations' && Array.isArray(value) ? value : annotationsIn(value)));
}
