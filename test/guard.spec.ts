import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type GuardConfig } from '../helpers/index.js';
import { checkTarget, loadTestEnv, type EnvSource } from '../guard/index.js';
import { redactUrl } from '../postgres/index.js';
import { runVibes } from './support/cli.js';
import { test, expect } from './support/fixtures.js';
import { NO_VIBES_SERVERS, runPlaywright, tempProject } from './support/temp-project.js';

const process_ = (names: string[]) => new Map<string, EnvSource>(names.map((n) => [n, { kind: 'process' }]));
/** The refusals of `env` (all from the process) as `variable: why` lines. */
const refused = (env: Record<string, string>, config?: GuardConfig) =>
  checkTarget({ env, sources: process_(Object.keys(env)), config }).refusals.map((r) => `${r.variable}: ${r.why}`);
const PRODUCTION_APP = 'it points at database "app" on db.prod.example.com, which is neither local nor named as a test database';

test.describe('the safety guard refuses', () => {
  test('a live Stripe key, whatever the variable is called, without echoing it', () => {
    const env = { SOME_THIRD_PARTY_SECRET: 'sk_live_51Habc', STRIPE_RESTRICTED: 'rk_live_xyz' };
    const { refusals } = checkTarget({ env, sources: process_(Object.keys(env)) });
    expect(refusals.map((r) => r.variable)).toEqual(['SOME_THIRD_PARTY_SECRET', 'STRIPE_RESTRICTED']);
    expect(refusals[0]!.why).toContain('live Stripe secret key');
    expect(refusals[1]!.why).toContain('live Stripe restricted key');
    expect(JSON.stringify(refusals)).not.toMatch(/51Habc|xyz/);
  });

  test('NODE_ENV=production', () => {
    const { refusals } = checkTarget({ env: { NODE_ENV: 'production' }, sources: process_(['NODE_ENV']) });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ variable: 'NODE_ENV', why: 'it is "production"' });
  });

  test('a database that is neither local nor named as a test database', () => {
    const env = { DATABASE_URL: 'postgres://app:pw@db.prod.example.com:5432/app' };
    const { refusals } = checkTarget({ env, sources: process_(['DATABASE_URL']) });
    expect(refusals).toHaveLength(1);
    expect(refusals[0]!.why).toContain('database "app" on db.prod.example.com');
    expect(refusals[0]!.allow).toContain("allowDatabaseHosts: ['db.prod.example.com']");
    expect(refusals[0]!.source).toContain('process environment');
    expect(JSON.stringify(refusals)).not.toContain(':pw@');
  });

  test('a base URL on a configured production host', () => {
    const { refusals } = checkTarget({ env: { BASE_URL: 'https://app.example.com/login' }, sources: process_(['BASE_URL']), config: { productionHosts: ['app.example.com'] } });
    expect(refusals.map((r) => `${r.variable}: ${r.why}`)).toEqual(['BASE_URL: its host app.example.com is listed as a production host (in guard.productionHosts)']);
    // The config's baseURL is BASE_URL when that is set: one refusal, naming the variable, not a second one blaming the config.
    const twice = checkTarget({ env: { BASE_URL: 'https://app.example.com/login' }, sources: process_(['BASE_URL']), config: { productionHosts: ['app.example.com'] }, baseURL: 'https://app.example.com/login' });
    expect(twice.refusals.map((r) => `${r.variable} (${r.source})`)).toEqual(['BASE_URL (the process environment (your shell or CI))']);
    // A flag naming the same URL (written with a trailing slash) is the refusal's name: it is what the user typed.
    const flag = checkTarget({ env: { BASE_URL: 'https://app.example.com' }, sources: process_(['BASE_URL']), config: { productionHosts: ['app.example.com'] }, urls: [{ name: '--base-url', url: 'https://app.example.com/' }] });
    expect(flag.refusals.map((r) => `${r.variable} (${r.source})`)).toEqual(['--base-url (the command line)']);
  });

  test('the database pg connects to, not what the URL seems to say: ?host=, ?user= and the PG* variables', () => {
    const url = 'postgres://app:s3cret@localhost/app?host=db.prod.example.com';
    expect(refused({ DATABASE_URL: url })).toEqual([`DATABASE_URL: ${PRODUCTION_APP}`]);
    expect(refused({ DATABASE_URL: 'postgres:///app', PGHOST: 'db.prod.example.com' })).toEqual([`DATABASE_URL: ${PRODUCTION_APP} (PGHOST filled in what the URL leaves out)`]);
    // The database defaults to the user, and ?user= wins over the URL's user name.
    expect(refused({ DATABASE_URL: 'postgres://test@db.prod.example.com?user=app' })).toEqual([`DATABASE_URL: ${PRODUCTION_APP}`]);
    expect(refused({ DATABASE_URL: 'postgres://db.prod.example.com', PGUSER: 'app' })).toEqual([`DATABASE_URL: ${PRODUCTION_APP} (PGUSER filled in what the URL leaves out)`]);
    expect(refused({ DATABASE_URL: 'postgres://u@db.prod.example.com', PGDATABASE: 'app' })).toEqual([`DATABASE_URL: ${PRODUCTION_APP} (PGDATABASE filled in what the URL leaves out)`]);
    // What the URL names wins over the PG* variables, as in pg.
    expect(refused({ DATABASE_URL: 'postgres://u@db.prod.example.com/app', PGDATABASE: 'app_test' })).toEqual([`DATABASE_URL: ${PRODUCTION_APP}`]);
    expect(JSON.stringify(checkTarget({ env: { DATABASE_URL: url }, sources: process_(['DATABASE_URL']) }).refusals)).not.toContain('s3cret');
  });

  test('a refusal that a PG* variable caused names that variable, where it came from, and how to undo it', () => {
    const env = { DATABASE_URL: 'postgres:///app', PGHOST: 'db.prod.example.com' };
    const sources = new Map<string, EnvSource>([['DATABASE_URL', { kind: 'file', file: '.env.test' }], ['PGHOST', { kind: 'process' }]]);
    const [refusal] = checkTarget({ env, sources }).refusals;
    expect(refusal).toMatchObject({
      variable: 'DATABASE_URL',
      source: 'the file .env.test; PGHOST from the process environment (your shell or CI)',
      why: `${PRODUCTION_APP} (PGHOST filled in what the URL leaves out)`,
    });
    expect(refusal!.allow).toMatch(/^point DATABASE_URL at a local or test database \(or unset PGHOST\); or, if db\.prod\.example\.com/);
  });

  test("an app given PG* variables in app.env and no URL: pg connects with them alone", () => {
    const check = (appEnv: Record<string, string>) => checkTarget({ env: {}, sources: new Map(), appEnv }).refusals.map((r) => `${r.variable}: ${r.why}`);
    expect(check({ PGHOST: 'db.prod.example.com', PGDATABASE: 'app' })).toEqual([
      'app.env.PGHOST: with no URL, the app connects with app.env.PGHOST and app.env.PGDATABASE alone, to database "app" on db.prod.example.com, which is neither local nor named as a test database',
    ]);
    expect(check({ PGHOST: 'db.prod.example.com', PGDATABASE: 'app_test' })).toEqual([]);
    expect(check({ PGHOST: 'localhost', PGDATABASE: 'app' })).toEqual([]);

    // The app inherits the run's DATABASE_URL and reads it with app.env's PG* variables.
    const inherited = checkTarget({ env: { DATABASE_URL: 'postgres:///shop' }, sources: process_(['DATABASE_URL']), appEnv: { PGHOST: 'db.prod.example.com', PGDATABASE: 'shop_test' } }).refusals;
    expect(inherited.map((r) => `${r.variable}: ${r.why}`)).toEqual([
      'DATABASE_URL: it points at database "shop" on db.prod.example.com, which is neither local nor named as a test database (app.env.PGHOST filled in what the URL leaves out)',
    ]);
    // Refused by the run's own reading already: one refusal, not two.
    const both = checkTarget({ env: { DATABASE_URL: 'postgres:///shop', PGHOST: 'db.prod.example.com' }, sources: process_(['DATABASE_URL', 'PGHOST']), appEnv: { PGHOST: 'db2.prod.example.com' } }).refusals;
    expect(both.map((r) => r.variable)).toEqual(['DATABASE_URL']);
  });

  test('a malformed database URL, as a refusal instead of a crash', () => {
    expect(refused({ DATABASE_URL: 'postgres://app:s3cret@db.prod.example.com/app%' })).toEqual(['DATABASE_URL: it is not a valid connection URL, so the guard cannot tell where it points']);
    expect(refused({ DATABASE_URL: 'localhost/app' })).toEqual(['DATABASE_URL: it is not a valid connection URL, so the guard cannot tell where it points']);
    // The advice is the URL's form, not an allowance for a host it does not name.
    const [advice] = checkTarget({ env: { DATABASE_URL: 'localhost/app' }, sources: process_(['DATABASE_URL']) }).refusals;
    expect(advice?.allow).toBe('give DATABASE_URL as postgres://user:password@host:port/database, pointing at a local or test database.');
    // pg reads a stray % literally; the guard judges the host it names.
    expect(refused({ DATABASE_URL: 'postgres://app@db%zz.prod.example.com/app' })).toEqual([
      'DATABASE_URL: it points at database "app" on db%zz.prod.example.com, which is neither local nor named as a test database',
    ]);
  });

  test('NODE_ENV=production in any case', () => {
    expect(refused({ NODE_ENV: 'Production' })).toEqual(['NODE_ENV: it is "Production"']);
    expect(refused({ NODE_ENV: 'PRODUCTION' })).toEqual(['NODE_ENV: it is "PRODUCTION"']);
  });

  test('a live key glued on with an underscore or another non-alphanumeric character', () => {
    expect(refused({ TOKEN: 'x_sk_live_51Habc', HEADER: 'Bearer:rk_live_xyz', NOT_A_KEY: 'task_live_demo' })).toEqual([
      'TOKEN: it holds a live Stripe secret key (sk_live_…); tests create and delete customers and must only ever see test-mode keys',
      'HEADER: it holds a live Stripe restricted key (rk_live_…); tests create and delete customers and must only ever see test-mode keys',
    ]);
  });

  test('a production host written with a trailing dot, in the URL or in the list', () => {
    const production = 'BASE_URL: its host app.example.com is listed as a production host (in guard.productionHosts)';
    expect(refused({ BASE_URL: 'https://app.example.com./login' }, { productionHosts: ['App.Example.com'] })).toEqual([production]);
    expect(refused({ BASE_URL: 'https://app.example.com/login' }, { productionHosts: ['app.example.com.'] })).toEqual([production]);
  });

  test("app.env's live keys, databases and NODE_ENV, under their option path; its databases with the app's PG* variables", () => {
    const appEnv = { STRIPE_SECRET_KEY: 'sk_live_51Habc', NODE_ENV: 'production', DATABASE_URL: 'postgresql://app:s3cret@db.prod.example.com/app', REPLICA_URL: 'postgres:///app', PGHOST: 'db.prod.example.com', REDIS_URL: 'redis://cache.prod.example.com' };
    const { refusals } = checkTarget({ env: {}, sources: new Map(), appEnv });
    expect(refusals.map((r) => `${r.check}: ${r.variable}: ${r.why}`)).toEqual([
      'no live Stripe key: app.env.STRIPE_SECRET_KEY: it holds a live Stripe secret key (sk_live_…); tests create and delete customers and must only ever see test-mode keys',
      'not production: app.env.NODE_ENV: it is "production"',
      `test database: app.env.DATABASE_URL: ${PRODUCTION_APP}`,
      `test database: app.env.REPLICA_URL: ${PRODUCTION_APP} (app.env.PGHOST filled in what the URL leaves out)`,
    ]);
    expect(new Set(refusals.map((r) => r.source))).toEqual(new Set(['the playwright-vibes config']));
    expect(JSON.stringify(refusals)).not.toMatch(/s3cret|51Habc/);
  });

  test('a production host in any URL the run sends requests to, named by its option path', () => {
    const urls = [{ name: 'cleanup.appUser.url', url: 'https://app.example.com/api/test/users' }, { name: 'entitlements.url', url: 'http://localhost:3000/api/test/entitlements' }];
    const { refusals } = checkTarget({ env: {}, sources: new Map(), urls, config: { productionHosts: ['app.example.com'] } });
    expect(refusals.map((r) => `${r.variable}: ${r.why}`)).toEqual(['cleanup.appUser.url: its host app.example.com is listed as a production host (in guard.productionHosts)']);
  });
});

test.describe('the safety guard allows', () => {
  test('a correct test configuration', () => {
    const env = {
      STRIPE_SECRET_KEY: 'sk_test_123',
      NODE_ENV: 'test',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app',
      VIBES_DATABASE_URL: 'postgres://ci@db.internal:5432/app_test',
      BASE_URL: 'https://preview-123.example.dev',
    };
    const { refusals, checks } = checkTarget({ env, sources: process_(Object.keys(env)), config: { productionHosts: ['app.example.com'] } });
    expect(refusals).toEqual([]);
    expect(checks.map((c) => c.passed)).toEqual([true, true, true, true]);
  });

  test('what pg resolves to a local or test database: a socket, the PG* variables, the user as database', () => {
    expect(refused({ DATABASE_URL: 'postgres://app:pw@/app?host=/var/run/postgresql' })).toEqual([]);
    expect(refused({ DATABASE_URL: 'postgres://app@%2Fvar%2Frun%2Fpostgresql/app' })).toEqual([]);
    expect(refused({ DATABASE_URL: 'postgres:///app' })).toEqual([]);
    expect(refused({ DATABASE_URL: 'postgres:///app', PGHOST: 'localhost.' })).toEqual([]);
    expect(refused({ DATABASE_URL: 'postgres://ci@db.internal', PGDATABASE: 'app_test' })).toEqual([]);
    expect(refused({ DATABASE_URL: 'postgres://app_test@db.internal' })).toEqual([]);
  });

  test('a remote database host allowed by exact name, in config or VIBES_ALLOW_DATABASE_HOSTS', () => {
    const env = { DATABASE_URL: 'postgres://u@staging-db.example.com/app' };
    expect(checkTarget({ env, sources: process_(['DATABASE_URL']), config: { allowDatabaseHosts: ['staging-db.example.com'] } }).refusals).toEqual([]);
    expect(checkTarget({ env: { ...env, VIBES_ALLOW_DATABASE_HOSTS: 'staging-db.example.com' }, sources: process_(['DATABASE_URL']) }).refusals).toEqual([]);
    expect(checkTarget({ env, sources: process_(['DATABASE_URL']), config: { allowDatabaseHosts: ['db.example.com'] } }).refusals).toHaveLength(1);
  });
});

test.describe('environment files', () => {
  let dir: string;
  test.beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vibes-env-'));
  });
  test.afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('.env.test and .env.test.local are loaded with their source; .env never is; the shell wins', async () => {
    await writeFile(path.join(dir, '.env'), 'FROM_DOT_ENV=1\nSTRIPE_SECRET_KEY=sk_live_never\n');
    await writeFile(path.join(dir, '.env.test'), 'A=from-test\nB=from-test\nC=from-test\n');
    await writeFile(path.join(dir, '.env.test.local'), 'B=from-local\n');
    const env: NodeJS.ProcessEnv = { C: 'from-shell' };
    const { sources } = loadTestEnv(dir, env);
    expect(env).toEqual({ A: 'from-test', B: 'from-local', C: 'from-shell' });
    // In full: the folder is not under the current one.
    expect(sources.get('A')).toEqual({ kind: 'file', file: path.join(dir, '.env.test') });
    expect(sources.get('B')).toEqual({ kind: 'file', file: path.join(dir, '.env.test.local') });
    expect(sources.get('C')).toEqual({ kind: 'process' });
  });

  test('`vibes doctor` names the file a refused value came from and exits non-zero', async () => {
    await writeFile(path.join(dir, '.env.test'), 'DATABASE_URL=postgres://app@db.prod.example.com/app\n');
    const { code, stdout, stderr } = await runVibes(['doctor'], { cwd: dir, env: { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined } });
    expect(code).toBe(1);
    expect(stdout, stderr).toContain('✗ guard: test database: DATABASE_URL: it points at database "app" on db.prod.example.com');
    expect(stdout).toContain('where it came from: the file .env.test');
    // A refused database is not even connected to (a production server would see the attempt).
    expect(stdout).toContain('- database: postgres://app@db.prod.example.com/app: not connected to, the guard refused it (see above)');
    expect(stdout).toMatch(/vibes doctor: \d+ checks? failed/);
    // The browser line names the browser once: not "system Chromium (/usr/bin/chromium) at /usr/bin/chromium".
    expect(stdout).toMatch(/browser: (Playwright's Chromium|system Chromium( \(VIBES_CHROMIUM\))?) at \//);
    expect(stdout).not.toMatch(/system Chromium \((\/[^)]+)\) at \1/);
  });

  test("`vibes doctor` and `vibes sweep` from a monorepo's root: they say no config is there, and --config reads its folder's .env.test", async ({ databaseUrl }) => {
    const project = await tempProject({
      'apps/web/playwright.config.mjs': "export default {};\n",
      'apps/web/.env.test': 'DATABASE_URL=postgres://app@db.prod.example.com/app\n',
    });
    const env = { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined, VIBES_DATA_DIR: undefined };
    try {
      const fromRoot = await runVibes(['doctor'], { cwd: project.dir, env });
      expect(fromRoot.stdout).toContain(`! config folder: no Playwright config in ${project.dir}, whose .env.test was read: run vibes doctor in your config's folder, or pass --config <file>`);
      const told = await runVibes(['doctor', '--config', 'apps/web/playwright.config.mjs'], { cwd: project.dir, env });
      expect(told.code).toBe(1);
      expect(told.stdout).toContain(`✓ config folder: .env.test read from ${path.join(project.dir, 'apps/web')}`);
      expect(told.stdout).toContain('where it came from: the file apps/web/.env.test');
      // Right after `vibes init`: only the example is there, and doctor does not say it read a .env.test.
      await project.write('apps/shop/playwright.config.mjs', 'export default {};\n');
      await project.write('apps/shop/.env.test.example', 'DATABASE_URL=postgres://localhost:5432/shop_test\n');
      const fresh = await runVibes(['doctor', '--config', 'apps/shop/playwright.config.mjs'], { cwd: project.dir, env });
      expect(fresh.stdout).toContain(`! config folder: no .env.test in ${path.join(project.dir, 'apps/shop')}, so the run's settings come from the environment alone: copy .env.test.example to .env.test and fill it in`);
      expect(fresh.stdout).not.toContain('.env.test read from');
      const missing = await runVibes(['doctor', '--config', 'apps/api/playwright.config.ts'], { cwd: project.dir, env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--config apps/api/playwright.config.ts: no such file');

      const noLedger = await runVibes(['sweep', '--no-strays'], { cwd: project.dir, env });
      expect(noLedger.stdout).toContain(`(no Playwright config in ${project.dir}: run vibes sweep in your config's folder, or pass --config <file>)`);
      await project.write('apps/web/.env.test', `VIBES_DATABASE_URL=${databaseUrl}\n`);
      const swept = await runVibes(['sweep', '--no-strays', '--dry-run', '--config', 'apps/web/playwright.config.mjs'], { cwd: project.dir, env });
      expect(swept.code, swept.stderr).toBe(0);
      expect(swept.stdout).toMatch(/ledger at postgres:\/\/.*: \d+ (entry|entries) to remove/);
    } finally {
      await project.remove();
    }
  });

  test('`vibes doctor` reports a database URL with a malformed escape as a refusal, not a crash', async () => {
    const { code, stdout, stderr } = await runVibes(['doctor'], { cwd: dir, env: { DATABASE_URL: 'postgres://app@db%zz.prod.example.com/app', VIBES_DATABASE_URL: undefined } });
    expect(stdout, stderr).toContain('✗ guard: test database: DATABASE_URL: it points at database "app" on db%zz.prod.example.com');
    expect(stdout).toMatch(/vibes doctor: \d+ checks? failed/);
    expect(code).toBe(1);
  });

  test('`vibes doctor` reports a database URL pg cannot parse on its own lines, not as a crash', async () => {
    const { code, stdout, stderr } = await runVibes(['doctor'], { cwd: dir, env: { DATABASE_URL: 'postgres://app:s3cret@db.prod.example.com/app%', VIBES_DATABASE_URL: undefined } });
    expect(stdout, stderr).toContain('✗ guard: test database: DATABASE_URL: it is not a valid connection URL');
    expect(stdout).toContain('- database: postgres://app:***@db.prod.example.com/app%: not connected to, the guard refused it (see above)');
    expect(stdout + stderr).not.toContain('s3cret');
    expect(code).toBe(1);
  });

  test('`vibes doctor` passes a correct configuration', async () => {
    await writeFile(path.join(dir, '.env.test'), 'STRIPE_WEBHOOK_SECRET=whsec_local\n');
    const { code, stdout } = await runVibes(['doctor'], { cwd: dir, env: { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
    expect(stdout).toContain('vibes doctor: all checks passed');
    expect(code).toBe(0);
  });

  test("`vibes doctor` checks the app's database too when DATABASE_URL is not the run's", async ({ databaseUrl }) => {
    const unreachable = 'postgres://postgres:s3cret@127.0.0.1:1/app_test';
    const { code, stdout } = await runVibes(['doctor'], { cwd: dir, env: { VIBES_DATABASE_URL: databaseUrl, DATABASE_URL: unreachable, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
    expect(stdout).toContain(`✓ database: reachable at ${redactUrl(databaseUrl)}`);
    expect(stdout).toContain('✗ app database (DATABASE_URL): postgres://postgres:***@127.0.0.1:1/app_test is not reachable');
    expect(stdout).not.toContain('s3cret');
    expect(code).toBe(1);
  });

  test("as Playwright loads the config (its source maps name the package's .ts files), the app's env files are read beside the config", async () => {
    // Playwright rewrites stack frames through the package's source maps, to its helpers/*.ts: the
    // config's folder must still be the config's, not the package's (a Next.js app's .env.local).
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
      '.env.local': 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n',
      'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ app: { command: 'node server.js', url: 'http://127.0.0.1:9' } });\n",
    });
    try {
      const { code, output } = await runPlaywright(project, ['--list'], { DATABASE_URL: '', VIBES_DATABASE_URL: '', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' });
      expect(code, output).not.toBe(0);
      expect(output).toContain('✗ test database: DATABASE_URL in .env.local — it points at database "app" on db.prod.example.com');
      expect(output).not.toContain('s3cret');
    } finally {
      await project.remove();
    }
  });

  test('.env.test is read beside the config, as a monorepo runs it from its root with -c apps/web/playwright.config.ts', async () => {
    const project = await tempProject({
      'apps/web/.env.test': 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n',
      'apps/web/playwright.config.mjs': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ app: 'demo' });\n",
    });
    try {
      // Unset, not empty: an empty variable the shell sets wins over the file.
      const refused = await runNode("import('./apps/web/playwright.config.mjs')", { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined }, project.dir);
      expect(refused.code, refused.stderr).not.toBe(0);
      expect(refused.stderr).toContain('DATABASE_URL');
      expect(refused.stderr).toContain('db.prod.example.com');
      expect(refused.stderr).toContain('.env.test');
      expect(refused.stderr).not.toContain('s3cret');
    } finally {
      await project.remove();
    }
  });

  test("the app's own .env: a production DATABASE_URL there is refused before the app starts; a local one is said to get the test users", async () => {
    const project = await tempProject({ '.env': 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n' });
    try {
      const config = "import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'node server.js', url: 'http://127.0.0.1:9' } })).then(() => console.log('config built'))";
      const refused = await runNode(config, { DATABASE_URL: '', VIBES_DATABASE_URL: '' }, project.dir);
      expect(refused.code, refused.stderr).not.toBe(0);
      expect(refused.stderr).toContain('✗ test database: DATABASE_URL in .env — it points at database "app" on db.prod.example.com');
      expect(refused.stderr).toContain("where it came from: your app's own .env, which it reads because the run sets no DATABASE_URL");
      expect(refused.stderr).toContain('to fix or allow it: set DATABASE_URL in .env.test to a local or test database: the run passes it to the app, over its .env files');
      expect(refused.stderr).not.toContain('s3cret');
      // The run's own DATABASE_URL reaches the app over its .env: nothing of the file is used.
      const given = await runNode(config, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/app_test', VIBES_DATABASE_URL: '' }, project.dir);
      expect(given.code, given.stderr).toBe(0);
      expect(given.stderr).not.toContain('.env');

      await project.write('.env', 'DATABASE_URL=postgres://postgres:s3cret@127.0.0.1:5432/indie_dev\n');
      // As the runner loads the config (workers say nothing of it).
      const local = await runNode(config, { DATABASE_URL: '', VIBES_DATABASE_URL: '', TEST_WORKER_INDEX: undefined }, project.dir);
      expect(local.code, local.stderr).toBe(0);
      expect(local.stderr).toContain('vibes: your app reads DATABASE_URL from its .env (postgres://postgres:***@127.0.0.1:5432/indie_dev), as the run sets none: its test users are made there.');
      const doctor = await runVibes(['doctor'], { cwd: project.dir, env: { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
      expect(doctor.stdout).toContain("! app database (DATABASE_URL in .env): your app reads DATABASE_URL from its .env (postgres://postgres:***@127.0.0.1:5432/indie_dev), as the run sets none: its test users are made there. Set DATABASE_URL in .env.test to your app's test database.");
      expect(doctor.stdout).toContain('vibes doctor: all checks passed');
      expect(doctor.stdout + doctor.stderr).not.toContain('s3cret');

      // Doctor cannot know whether the config starts the app: a production one is a warning there, with the guard's words.
      await project.write('.env', 'POSTGRES_URL=postgres://app:s3cret@db.prod.example.com/app\n');
      const warned = await runVibes(['doctor'], { cwd: project.dir, env: { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
      expect(warned.stdout).toContain('! app database (POSTGRES_URL in .env): a run whose config starts your app refuses it: it points at database "app" on db.prod.example.com');
      expect(warned.stdout).toContain('vibes doctor: all checks passed');
      expect(warned.stdout + warned.stderr).not.toContain('s3cret');
      // Nor is the config's folder always the current one: Playwright starts the app beside the config.
      await project.write('web/.env', 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n');
      await project.write('web/vibes.config.mjs', "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ app: { command: 'node server.js', url: 'http://127.0.0.1:9' } });\n");
      const nested = await runNode("import('./web/vibes.config.mjs')", { DATABASE_URL: '', VIBES_DATABASE_URL: '' }, project.dir);
      expect(nested.code).not.toBe(0);
      // An env file the app's start command loads itself (node --env-file, through its npm script) counts, above .env.
      await project.write('package.json', JSON.stringify({ name: 'shop', scripts: { dev: 'node --env-file=.env.dev --watch server.js' } }));
      await project.write('.env', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/app_test\n');
      await project.write('.env.dev', 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n');
      const fromScript = await runNode("import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'npm run dev', url: 'http://127.0.0.1:9' } }))", { DATABASE_URL: '', VIBES_DATABASE_URL: '' }, project.dir);
      expect(fromScript.code).not.toBe(0);
      expect(fromScript.stderr).toContain('✗ test database: DATABASE_URL in .env.dev — it points at database "app" on db.prod.example.com');
      expect(nested.stderr).toContain('✗ test database: DATABASE_URL in .env — it points at database "app" on db.prod.example.com');
    } finally {
      await project.remove();
    }
  });

  test("a monorepo's other package that the app's command starts (npm -w, pnpm --filter, concurrently) is judged by its own env files", async () => {
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'spa', private: true, workspaces: ['apps/*'] }),
      'apps/api/package.json': JSON.stringify({ name: '@spa/api', scripts: { dev: 'tsx watch --env-file=.env src/server.ts' } }),
      'apps/api/.env': 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n',
      'apps/web/package.json': JSON.stringify({ name: '@spa/web', scripts: { dev: 'concurrently -k "npm run dev -w @spa/api" "vite --port 5188"' } }),
      'apps/web/.env': 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/web_dev\n',
      'apps/web/playwright.config.mjs': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ app: { command: 'npm run dev', url: 'http://127.0.0.1:9' } });\n",
    });
    try {
      const refused = await runNode("import('./playwright.config.mjs')", { DATABASE_URL: '', VIBES_DATABASE_URL: '' }, path.join(project.dir, 'apps/web'));
      expect(refused.code, refused.stderr).not.toBe(0);
      expect(refused.stderr).toContain('✗ test database: DATABASE_URL in ../api/.env — it points at database "app" on db.prod.example.com');
      expect(refused.stderr).toContain("where it came from: your app's own ../api/.env");
      expect(refused.stderr).not.toContain('s3cret');

      // pnpm's filter, to a package with its own .env.local; the run's DATABASE_URL reaches both and passes.
      await project.write('pnpm-workspace.yaml', "packages:\n  - 'apps/*'\n");
      await project.write('package.json', JSON.stringify({ name: 'spa', private: true }));
      await project.write('apps/api/.env', '');
      await project.write('apps/api/.env.local', 'POSTGRES_URL=postgres://app:s3cret@db.prod.example.com/app\n');
      await project.write('apps/web/package.json', JSON.stringify({ name: '@spa/web', scripts: { dev: 'pnpm --filter @spa/api dev & vite' } }));
      const filtered = await runNode("import('./playwright.config.mjs')", { DATABASE_URL: '', POSTGRES_URL: '', VIBES_DATABASE_URL: '' }, path.join(project.dir, 'apps/web'));
      expect(filtered.stderr).toContain('✗ test database: POSTGRES_URL in ../api/.env.local');
      const given = await runNode("import('./playwright.config.mjs')", { DATABASE_URL: '', POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/api_test', VIBES_DATABASE_URL: '' }, path.join(project.dir, 'apps/web'));
      expect(given.code, given.stderr).toBe(0);
    } finally {
      await project.remove();
    }
  });

  test("a Flask app's .flaskenv and SQLAlchemy's SQLALCHEMY_DATABASE_URI count: a production one is refused, a SQLite file passes", async () => {
    const config = "import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'flask --app app run --port 5000', url: 'http://127.0.0.1:9' } }))";
    const env = { DATABASE_URL: '', SQLALCHEMY_DATABASE_URI: '', VIBES_DATABASE_URL: '' };
    const project = await tempProject({ '.flaskenv': 'FLASK_APP=app.py\nDATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n' });
    try {
      const flaskenv = await runNode(config, env, project.dir);
      expect(flaskenv.code, flaskenv.stderr).not.toBe(0);
      expect(flaskenv.stderr).toContain('✗ test database: DATABASE_URL in .flaskenv — it points at database "app" on db.prod.example.com');

      // .env ranks above .flaskenv, as `flask run` loads them; SQLAlchemy's dialect+driver scheme is a database URL too.
      await project.write('.env', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/app_test\nSQLALCHEMY_DATABASE_URI=postgresql+psycopg2://app:s3cret@db.prod.example.com/app\n');
      const sqlalchemy = await runNode(config, env, project.dir);
      expect(sqlalchemy.code, sqlalchemy.stderr).not.toBe(0);
      expect(sqlalchemy.stderr).not.toContain('DATABASE_URL in .flaskenv');
      expect(sqlalchemy.stderr).toContain('✗ test database: SQLALCHEMY_DATABASE_URI in .env — it points at database "app" on db.prod.example.com');
      expect(sqlalchemy.stderr).toContain('set SQLALCHEMY_DATABASE_URI in .env.test to a local or test database');
      expect(sqlalchemy.stderr).not.toContain('s3cret');

      await project.write('.env', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/app_test\nSQLALCHEMY_DATABASE_URI=sqlite:///instance/app.db\nREDIS_URL=redis://cache.prod.example.com:6379\n');
      const local = await runNode(config, env, project.dir);
      expect(local.code, local.stderr).toBe(0);
    } finally {
      await project.remove();
    }
  });

  test("an app that loads its .env with override uses that file's database over the run's: a production one is refused, and so is another test database", async () => {
    // Eight config loads and a doctor, each a process of its own: slow on a loaded machine.
    test.setTimeout(90_000);
    const config = "import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'npm run start', url: 'http://127.0.0.1:9' } }))";
    const given = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/nest_test', VIBES_DATABASE_URL: '' };
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'nest-shop', scripts: { start: 'nest start' } }),
      '.env': 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n',
      'src/app.module.ts': "@Module({ imports: [ConfigModule.forRoot({ isGlobal: true, override: true })] })\nexport class AppModule {}\n",
    });
    try {
      const production = await runNode(config, given, project.dir);
      expect(production.code, production.stderr).not.toBe(0);
      expect(production.stderr).toContain('✗ test database: DATABASE_URL in .env — it points at database "app" on db.prod.example.com');
      expect(production.stderr).toContain(`where it came from: your app's own .env, which ${path.join('src', 'app.module.ts')} loads with override, over the run's DATABASE_URL`);
      expect(production.stderr).not.toContain('s3cret');
      const doctor = await runVibes(['doctor'], { cwd: project.dir, env: { ...given, STRIPE_EMULATOR_URL: undefined, STRIPE_SECRET_KEY: undefined } });
      // Doctor says it with the run's words: the override is the fix, not a DATABASE_URL the run already sets.
      expect(doctor.stdout).toContain(`! app database (DATABASE_URL in .env): a run whose config starts your app refuses it: it points at database "app" on db.prod.example.com, which is neither local nor named as a test database; remove the override (${path.join('src', 'app.module.ts')})`);

      // A local database of its own: safe, but the app writes it and the run's checks read another.
      await project.write('.env', 'DATABASE_URL=postgres://postgres@127.0.0.1:5432/nest_dev\n');
      const elsewhere = await runNode(config, given, project.dir);
      expect(elsewhere.code, elsewhere.stderr).not.toBe(0);
      expect(elsewhere.stderr).toContain('✗ one database: DATABASE_URL in .env — the app would use database "nest_dev" on 127.0.0.1, and the run\'s checks (entitlements, db, cleanup) database "nest_test" on 127.0.0.1');

      // Without override, the run's DATABASE_URL wins, as dotenv and ConfigModule load by default.
      await project.write('.env', 'DATABASE_URL=postgres://app:s3cret@db.prod.example.com/app\n');
      await project.write('src/app.module.ts', "@Module({ imports: [ConfigModule.forRoot({ isGlobal: true })] })\nexport class AppModule {}\n");
      // A Playwright config that loads .env.test with override is the tests' own, not the app's.
      await project.write('playwright.config.ts', "import dotenv from 'dotenv';\ndotenv.config({ path: '.env.test', override: true });\n");
      const plain = await runNode(config, given, project.dir);
      expect(plain.code, plain.stderr).toBe(0);

      // python-dotenv's override, and dotenv-cli's -o in the start command.
      await project.write('app.py', 'from dotenv import load_dotenv\nload_dotenv(override=True)\n');
      expect((await runNode(config, given, project.dir)).stderr).toContain("your app's own .env, which app.py loads with override");
      await project.write('app.py', 'from dotenv import load_dotenv\nload_dotenv()\n');
      await project.write('package.json', JSON.stringify({ name: 'nest-shop', scripts: { start: 'dotenv -o -e .env -- node dist/main.js' } }));
      expect((await runNode(config, given, project.dir)).stderr).toContain("your app's own .env, which its start command loads with override");
    } finally {
      await project.remove();
    }
  });

  test("a live Stripe key in the app's own .env is refused, whatever the run passes: a build bakes it in, a NUXT_ name the run never sets reaches the app", async () => {
    const liveKey = `sk_live_${'4'.repeat(24)}`;
    const project = await tempProject({ '.env': `NUXT_STRIPE_SECRET_KEY=${liveKey}\nNUXT_PUBLIC_SITE=https://shop.example.com\n` });
    try {
      const config = "import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'node .output/server/index.mjs', url: 'http://127.0.0.1:9' } }))";
      const refused = await runNode(config, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/nuxt_test', STRIPE_SECRET_KEY: `sk_test_${'5'.repeat(24)}` }, project.dir);
      expect(refused.code, refused.stderr).not.toBe(0);
      expect(refused.stderr).toContain('✗ no live Stripe key: NUXT_STRIPE_SECRET_KEY in .env — it holds a live Stripe secret key (sk_live_…)');
      expect(refused.stderr).toContain("where it came from: your app's own .env, which the app the run starts reads");
      expect(refused.stderr).not.toContain(liveKey);
    } finally {
      await project.remove();
    }
  });

  test('defineVibesConfig refuses before any server starts', async () => {
    const { code, stderr } = await runNode(
      "import('playwright-vibes').then((m) => m.defineVibesConfig({ app: 'demo' })).then(() => console.log('config built'))",
      { NODE_ENV: 'production' },
    );
    expect(code).not.toBe(0);
    expect(stderr).toContain('playwright-vibes refused to run');
    expect(stderr).toContain('NODE_ENV — it is "production"');
  });

  test("defineVibesConfig refuses every database its options name, not only the environment's", async () => {
    const production = "'postgres://app:s3cret@db.prod.example.com:5432/app'";
    for (const [options, name] of [
      [`{ cleanup: { appUser: { sql: 'delete from users where email = $1', databaseUrl: ${production} } } }`, 'cleanup.appUser.databaseUrl'],
      [`{ db: { url: ${production} } }`, 'db.url'],
      [`{ entitlements: { sql: 'select 1', databaseUrl: ${production} } }`, 'entitlements.databaseUrl'],
    ]) {
      const { code, stderr } = await runNode(`import('playwright-vibes').then((m) => m.defineVibesConfig(${options}))`, {});
      expect(code, stderr).not.toBe(0);
      expect(stderr).toContain(`✗ test database: ${name} — it points at database "app" on db.prod.example.com`);
      expect(stderr).not.toContain('s3cret');
    }
  });
});

test.describe('defineVibesConfig refuses what its options hand on', () => {
  test("app.env's live keys, production databases and NODE_ENV, named by option path", async () => {
    const { code, stderr } = await runNode(
      `import('playwright-vibes').then((m) => m.defineVibesConfig({ app: { command: 'npm start', url: 'http://127.0.0.1:3000', env: {
        DATABASE_URL: 'postgres://app:s3cret@db.prod.example.com/app', STRIPE_SECRET_KEY: 'sk_live_51Habc', NODE_ENV: 'production' } } }))`,
      {},
    );
    expect(code, stderr).not.toBe(0);
    expect(stderr).toContain('✗ no live Stripe key: app.env.STRIPE_SECRET_KEY — it holds a live Stripe secret key (sk_live_…)');
    expect(stderr).toContain('✗ not production: app.env.NODE_ENV — it is "production"');
    expect(stderr).toContain(`✗ test database: app.env.DATABASE_URL — ${PRODUCTION_APP}`);
    expect(stderr).toContain('where it came from: the playwright-vibes config');
    expect(stderr).not.toMatch(/s3cret|51Habc/);
  });

  test('a production host in any URL the options send requests to', async () => {
    const options = `{
      guard: { productionHosts: ['app.example.com'] },
      baseURL: 'http://127.0.0.1:3000',
      app: { command: 'npm start', url: 'https://app.example.com' },
      webhooks: { forwardTo: 'https://app.example.com/api/stripe/webhook' },
      entitlements: { url: 'https://APP.example.com./api/test/entitlements' },
      cleanup: { appUser: { url: 'https://app.example.com/api/test/users', method: 'DELETE' } },
    }`;
    const { code, stderr } = await runNode(`import('playwright-vibes').then((m) => m.defineVibesConfig(${options}))`, {});
    expect(code, stderr).not.toBe(0);
    for (const name of ['app.url', 'webhooks.forwardTo', 'entitlements.url', 'cleanup.appUser.url']) {
      expect(stderr).toContain(`✗ not a production URL: ${name} — its host app.example.com is listed as a production host`);
    }
    expect(stderr).not.toContain('baseURL —');

    // A path is on the base URL, unless it is one that leaves it (`//host/…`).
    const paths = `{
      guard: { productionHosts: ['app.example.com'] },
      baseURL: 'http://127.0.0.1:3000',
      entitlements: { url: '/api/test/entitlements' },
      cleanup: { appUser: { url: '//app.example.com/api/test/users' } },
    }`;
    const onPaths = await runNode(`import('playwright-vibes').then((m) => m.defineVibesConfig(${paths}))`, {});
    expect(onPaths.code, onPaths.stderr).not.toBe(0);
    expect(onPaths.stderr).toContain('✗ not a production URL: cleanup.appUser.url — its host app.example.com is listed as a production host');
    expect(onPaths.stderr).not.toContain('entitlements.url —');
  });
});

test.describe('the worker', () => {
  test('refuses before the cleanup ledger opens a database, also under a plain Playwright config', async () => {
    test.setTimeout(60_000);
    const project = await tempProject({
      'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
      // No defineVibesConfig, so no config-time guard: only the worker's own.
      'playwright.config.ts': "import { defineConfig } from '@playwright/test';\nexport default defineConfig({ testDir: './e2e', workers: 1 });\n",
      'e2e/ledger.spec.ts': "import { test } from 'playwright-vibes';\ntest('registers a removal', async ({ cleanup }) => {\n  console.log('RAN ' + typeof cleanup);\n});\n",
    });
    try {
      const run = await runPlaywright(project, ['--reporter=list'], {
        VIBES_DATABASE_URL: 'postgres://app:s3cret@db.prod.example.com/app',
        DATABASE_URL: undefined,
        ...NO_VIBES_SERVERS,
      });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toContain('GuardError: playwright-vibes refused to run');
      expect(run.output).toContain(`✗ test database: VIBES_DATABASE_URL — ${PRODUCTION_APP}`);
      expect(run.output).not.toContain('RAN ');
      expect(run.output).not.toContain('s3cret');
    } finally {
      await project.remove();
    }
  });
});

async function runNode(source: string, env: NodeJS.ProcessEnv, cwd = path.resolve('.')) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { env: { ...process.env, ...env }, cwd });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}
