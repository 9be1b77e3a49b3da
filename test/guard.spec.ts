import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkTarget, loadTestEnv, type EnvSource } from '../helpers/index.js';
import { redactUrl } from '../postgres/index.js';
import { runVibes } from './support/cli.js';
import { test, expect } from './support/fixtures.js';

const process_ = (names: string[]) => new Map<string, EnvSource>(names.map((n) => [n, { kind: 'process' }]));

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
    expect(refusals.map((r) => `${r.variable}: ${r.why}`)).toEqual(['BASE_URL: its host app.example.com is listed as a production host']);
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
    expect(sources.get('A')).toEqual({ kind: 'file', file: '.env.test' });
    expect(sources.get('B')).toEqual({ kind: 'file', file: '.env.test.local' });
    expect(sources.get('C')).toEqual({ kind: 'process' });
  });

  test('`vibes doctor` names the file a refused value came from and exits non-zero', async () => {
    await writeFile(path.join(dir, '.env.test'), 'DATABASE_URL=postgres://app@db.prod.example.com/app\n');
    const { code, stdout } = await runVibes(['doctor'], { cwd: dir, env: { DATABASE_URL: undefined, VIBES_DATABASE_URL: undefined } });
    expect(code).toBe(1);
    expect(stdout).toContain('✗ guard: test database: DATABASE_URL: it points at database "app" on db.prod.example.com');
    expect(stdout).toContain('where it came from: the file .env.test');
    expect(stdout).toMatch(/vibes doctor: \d+ checks? failed/);
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

async function runNode(source: string, env: NodeJS.ProcessEnv) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { env: { ...process.env, ...env }, cwd: path.resolve('.') });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stderr };
}
