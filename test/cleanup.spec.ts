import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { test, expect, rowsIn } from './support/fixtures.js';
import { startEmulatorHarness } from './support/emulator-harness.js';
import { runVibes, startVibes } from './support/cli.js';
import { CleanupRegistry, Ledger, StripeRateLimiter, appDatabases, type RemoverContext } from '../helpers/index.js';
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
    } finally {
      await replay.stop();
      await harness.close();
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

      const dry = await runVibes(['sweep', '--dry-run', '--older-than', '0s'], { env });
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain(`would remove Stripe customer ${tracked.id}`);
      expect(dry.stdout).toContain('vibes sweep: would remove 1, failed 0');
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
      } finally {
        await after.close();
      }
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
  let output = '';
  const listeners: (() => void)[] = [];
  const onData = (c: Buffer) => {
    output += c.toString();
    listeners.forEach((l) => l());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  return {
    exited,
    output: () => output,
    kill: () => process.kill(-child.pid!, 'SIGKILL'),
    printed: (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) resolve(match);
        };
        listeners.push(check);
        void exited.then(() => reject(new Error(`the run ended before printing ${pattern}:\n${output}`)));
        check();
      }),
  };
}
