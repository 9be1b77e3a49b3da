import { test, expect, rowsIn } from './support/replay-fixtures.js';
import { DbQueryError } from '../helpers/index.js';
import { AppDatabase, appDatabases } from '../app-database/index.js';
import { NO_VIBES_SERVERS, runPlaywright, tempProject } from './support/temp-project.js';

// A user's project whose tests use `db`. No web server starts (NO_VIBES_SERVERS), and --no-deps
// skips the setup project, so that the only guards in play are the fixtures' own.
const CONFIG = `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({
  entitlements: { sql: 'select count(*) from grants where email = $1' },
}, { testDir: './e2e', workers: 1 });
`;

const SUITE = `import { test, expect } from 'playwright-vibes';

test('writes, reads and polls the app database', async ({ db, user, entitlements }) => {
  await db.query('create table grants (email text not null, plan text not null)');
  await db.query('insert into grants values ($1, $2)', [user.email, 'pro']);
  expect(await db.value('select plan from grants where email = $1', [user.email])).toBe('pro');
  expect(await db.value('select plan from grants where email = $1', ['nobody@example.com'])).toBeUndefined();
  expect(await db.query('select email, plan from grants')).toEqual([{ email: user.email, plan: 'pro' }]);
  await expect.poll(() => db.value('select count(*)::int from grants')).toBe(1);
  // The entitlements probe counts in the same database.
  await expect(entitlements).toGrantExactlyOnce(user.email);
});

test('a statement Postgres refuses is named with where it went wrong', async ({ db }) => {
  const error = await db.query('select plan\\nfrom grantz where email = $1', ['a@example.com']).catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  console.log('REFUSED ' + JSON.stringify({ name: error.name, code: (error as { code?: string }).code, message: error.message }));
});
`;

// db.url is a worker option: a file of its own names another database.
const PRODUCTION_SUITE = `import { test } from 'playwright-vibes';

test.use({ dbConfig: { url: 'postgres://app:s3cret@db.prod.example.com:5432/app' } });

test('the guard refuses before any statement', async ({ db }) => {
  const error = await db.query('drop table grants').catch((e: Error) => e);
  console.log('GUARD ' + JSON.stringify({ name: error.name, message: error.message }));
});
`;

// The probe's SQL and database, named in \`test.use\`: refused SQL and a production database both say which setting.
const PROBE_SUITE = `import { test } from 'playwright-vibes';

test.describe('a probe whose SQL Postgres refuses', () => {
  test.use({ entitlementsConfig: { sql: 'select count(*) from grantz where email = $1' } });
  test('counts', async ({ entitlements, user }) => {
    const error = await entitlements.count(user.email).catch((e: Error) => e);
    console.log('PROBE_SQL ' + JSON.stringify({ name: error.name, message: error.message }));
  });
});

test.describe('a probe endpoint on a production host', () => {
  test.use({ entitlementsConfig: { url: 'https://app.prod.example.com/api/test/entitlements' } });
  test('counts', async ({ entitlements, user }) => {
    const error = await entitlements.count(user.email).catch((e: Error) => e);
    console.log('PROBE_URL_GUARD ' + JSON.stringify({ name: error.name, message: error.message }));
  });
});

test.describe('a probe on production', () => {
  test.use({ entitlementsConfig: { sql: 'select count(*) from grants where email = $1', databaseUrl: 'postgres://app:s3cret@db.prod.example.com/app' } });
  test('counts', async ({ entitlements, user }) => {
    const error = await entitlements.count(user.email).catch((e: Error) => e);
    console.log('PROBE_GUARD ' + JSON.stringify({ name: error.name, message: error.message }));
  });
});
`;

// The removal's database, named in \`test.use\` where defineVibesConfig never saw it.
const PRODUCTION_CLEANUP_SUITE = `import { test } from 'playwright-vibes';

test.use({ cleanupConfig: { appUser: { sql: 'delete from users where email = $1', databaseUrl: 'postgres://app@db.prod.example.com/app' } } });

test('a user whose removal would run on production', async ({ user }) => {
  console.log('USER ' + user.email);
});
`;

// The removal's host (a DELETE), named in \`test.use\`: a production host is refused there too.
const PRODUCTION_REMOVAL_HOST_SUITE = `import { test } from 'playwright-vibes';

test.use({ cleanupConfig: { appUser: { url: 'https://app.prod.example.com/api/test/users' } } });

test('a user whose removal would go to a production host', async ({ user }) => {
  console.log('USER ' + user.email);
});
`;

test.describe('the db fixture @db', () => {
  test("queries the app's database (DATABASE_URL, not the replay server's), names refused SQL; the guard sees test.use's databases", async ({ databaseUrl, secondDatabaseUrl }) => {
    test.setTimeout(60_000);
    const project = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', type: 'module' }), 'playwright.config.ts': CONFIG, 'e2e/db.spec.ts': SUITE, 'e2e/production.spec.ts': PRODUCTION_SUITE,
      'e2e/production-cleanup.spec.ts': PRODUCTION_CLEANUP_SUITE, 'e2e/probe.spec.ts': PROBE_SUITE, 'e2e/production-removal-host.spec.ts': PRODUCTION_REMOVAL_HOST_SUITE,
    });
    try {
      const run = await runPlaywright(project, ['--project=chromium', '--no-deps', '--reporter=list'], {
        DATABASE_URL: databaseUrl,
        // The store's own database: the app's data must not land here.
        VIBES_DATABASE_URL: secondDatabaseUrl,
        VIBES_PRODUCTION_HOSTS: 'app.prod.example.com',
        ...NO_VIBES_SERVERS,
      });
      expect(run.code, run.output).toBe(1);
      // The two whose cleanup the guard stopped, and no other.
      expect(run.output).toMatch(/2 failed\n.*production-cleanup\.spec\.ts.*a user whose removal would run on production.*\n.*production-removal-host\.spec\.ts.*a user whose removal would go to a production host/);
      expect(run.output).toContain('✗ not a production URL: cleanup.appUser.url — its host app.prod.example.com is listed as a production host');
      expect(run.output).toMatch(/6 passed/);
      // Its cleanup stopped at the guard, before any removal ran.
      expect(run.output).toContain('✗ test database: cleanup.appUser.databaseUrl — it points at database "app" on db.prod.example.com');

      expect(await rowsIn(databaseUrl, 'select plan from grants')).toEqual([{ plan: 'pro' }]);
      expect(await rowsIn(secondDatabaseUrl, "select to_regclass('public.grants') as t")).toEqual([{ t: null }]);

      const refused = printed<{ name: string; code: string; message: string }>(run.output, 'REFUSED');
      expect(refused.name).toBe('DbQueryError');
      expect(refused.code).toBe('42P01');
      expect(refused.message).toContain('relation "grantz" does not exist (SQLSTATE 42P01)');
      // The caret stands under the table on the SQL's second line.
      expect(refused.message).toContain('  sql: from grantz where email = $1\n            ^');

      const guard = printed(run.output, 'GUARD');
      expect(guard.name).toBe('GuardError');
      expect(guard.message).toContain('✗ test database: db.url — it points at database "app" on db.prod.example.com');
      expect(guard.message).toContain('where it came from: the playwright-vibes config');
      expect(guard.message).not.toContain('s3cret');

      const probeSql = printed(run.output, 'PROBE_SQL');
      expect(probeSql.name).toBe('DbQueryError');
      expect(probeSql.message).toContain('entitlements.sql failed: relation "grantz" does not exist (SQLSTATE 42P01)');
      expect(probeSql.message).toContain('  sql: select count(*) from grantz where email = $1\n                            ^');

      const probeGuard = printed(run.output, 'PROBE_GUARD');
      expect(probeGuard.name).toBe('GuardError');
      expect(probeGuard.message).toContain('✗ test database: entitlements.databaseUrl — it points at database "app" on db.prod.example.com');
      expect(probeGuard.message).not.toContain('s3cret');

      // A probe endpoint in test.use is checked before its request goes out.
      const probeUrlGuard = printed(run.output, 'PROBE_URL_GUARD');
      expect(probeUrlGuard.name).toBe('GuardError');
      expect(probeUrlGuard.message).toContain('✗ not a production URL: entitlements.url — its host app.prod.example.com is listed as a production host');
    } finally {
      await project.remove();
    }
  });
});

test.describe('AppDatabase @db', () => {
  test('a parameter Postgres quotes back in its message is not printed: it may be a secret', async ({ databaseUrl }) => {
    const db = new AppDatabase(async () => databaseUrl, 'entitlements.sql');
    const error = (await db.query('select $1::int, $2::text', ['s3cret-token', 'x']).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(DbQueryError);
    expect(error.message).toContain('entitlements.sql failed: invalid input syntax for type integer: "<parameter>" (SQLSTATE 22P02)');
    expect(error.message).not.toContain('s3cret');
  });

  test("SQL that finds no table on the run's own database, taken because nothing named the app's, says to name it", async ({ databaseUrl }) => {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, VIBES_DATABASE_URL: process.env.VIBES_DATABASE_URL };
    const failure = (open: () => AppDatabase) => open().query('select count(*) from grants').catch((e: Error) => e.message);
    const advice = 'Set DATABASE_URL in .env.test to the database your app uses in tests';
    try {
      delete process.env.DATABASE_URL;
      process.env.VIBES_DATABASE_URL = databaseUrl;
      const fellBack = await failure(() => appDatabases()('entitlements.sql'));
      expect(fellBack).toContain('entitlements.sql failed: relation "grants" does not exist (SQLSTATE 42P01)');
      expect(fellBack).toContain("No setting names the app's database (db: { url } in defineVibesConfig, or DATABASE_URL)");
      expect(fellBack).toContain(advice);
      // Named, the database is the app's: a missing table is the SQL's mistake, not the setting's.
      expect(await failure(() => appDatabases({ db: { url: databaseUrl } })('entitlements.sql'))).not.toContain(advice);
      process.env.DATABASE_URL = databaseUrl;
      expect(await failure(() => appDatabases()('entitlements.sql'))).not.toContain(advice);
      // So is one a setting of its own names.
      delete process.env.DATABASE_URL;
      expect(await failure(() => appDatabases()('entitlements.sql', { name: 'entitlements.databaseUrl', url: databaseUrl }))).not.toContain(advice);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

/** What the user's test printed as `<TAG> <json>`: an error's name, code and message. */
function printed<T = { name: string; message: string }>(output: string, tag: string): T {
  const line = new RegExp(`^${tag} (.*)$`, 'm').exec(output);
  if (!line) throw new Error(`the run printed no ${tag} line:\n${output}`);
  return JSON.parse(line[1]!) as T;
}
