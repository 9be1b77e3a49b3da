import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { test, expect, rowsIn } from './support/fixtures.js';
import { freePort } from '../core/index.js';
import { runVibes } from './support/cli.js';
import { loopbackSite } from './support/loopback-site.js';
import { NESTED_RUN_ENV, tempProject, type TempProject } from './support/temp-project.js';

// Each test runs `vibes predeploy` as a deploy pipeline would, in a throwaway project, against a
// deployment stand-in on 127.0.0.1.
test.describe.configure({ timeout: 120_000 });

const PAGE = '<!doctype html><title>shop</title><p>Welcome to the shop</p>';

/** A project with a plain Playwright config and browserless @predeploy tests: the fast path for exit codes. */
function plainProject(): Promise<TempProject> {
  return tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', workers: 1, use: { baseURL: process.env.BASE_URL } });
`,
    'e2e/home.spec.ts': `import { test, expect } from '@playwright/test';
test('the home page welcomes @predeploy', async ({ request }) => {
  const response = await request.get('/');
  expect(response.status()).toBe(200);
  expect(await response.text()).toContain('Welcome to the shop');
});
test('waits for a webhook on this machine: not part of the check @smoke', async () => {
  throw new Error('only @predeploy tests run in a pre-deploy check by default');
});
`,
  });
}

function predeploy(project: TempProject, args: string[], env: NodeJS.ProcessEnv = {}) {
  return runVibes(['predeploy', ...args], { cwd: project.dir, env: { ...NESTED_RUN_ENV, ...env } });
}

test('passes with exit 0, runs only the @predeploy tests, and writes JUnit and a summary', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url, '--junit', 'reports/check.xml']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('guard passed');
    expect(result.stdout).toMatch(/warm-up: +answered 200 after 1 attempt/);
    expect(result.stdout).toMatch(/tests: +1 passed, 0 failed, 0 flaky, 0 skipped/);
    expect(result.stdout).toContain('result:   PASSED');
    const junit = await readFile(path.join(project.dir, 'reports/check.xml'), 'utf8');
    expect(junit).toContain('name="the home page welcomes @predeploy"');
    expect(junit).not.toContain('not part of the check');
    expect(junit).toMatch(/failures="0"/);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('headers named like Object.prototype members (constructor, toString) are headers like any other', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url, '--header', 'Constructor: c-value', '--header', 'toString: t-value']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const warmup = site.requests[0]!.headers;
    expect([warmup['constructor'], warmup['tostring']]).toEqual(['c-value', 't-value']);
    expect(result.stdout).toContain('bypass headers: constructor, tostring');
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('a failing @predeploy test exits 1 and names the test and its error', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: '<p>Under maintenance</p>' }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/tests: +0 passed, 1 failed/);
    expect(result.stdout).toMatch(/✗ e2e\/home\.spec\.ts › the home page welcomes @predeploy — .*toContain/);
    expect(result.stdout).toContain('result:   FAILED');
    const junit = await readFile(path.join(project.dir, 'test-results/predeploy-junit.xml'), 'utf8');
    expect(junit).toMatch(/failures="1"/);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('a cold start is waited out with backoff and reported apart from the tests', async () => {
  const site = await loopbackSite((_req, n) => (n <= 2 ? { status: 503 } : { status: 200, body: PAGE }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url, '--health-url', '/healthz']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warming up: attempt 1 at [\d.]+ s: 503/);
    expect(result.stderr).toMatch(/warming up: attempt 2 at [\d.]+ s: 503/);
    expect(result.stdout).toMatch(/warm-up: +answered 200 after 3 attempts in [\d.]+ s \(cold start\)/);
    expect(site.requests.slice(0, 3).map((r) => r.path)).toEqual(['/healthz', '/healthz', '/healthz']);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('an unreachable deployment exits 3 after the warm-up timeout', async () => {
  const project = await plainProject();
  try {
    const closedPort = await freePort();
    const result = await predeploy(project, ['--base-url', `http://127.0.0.1:${closedPort}`, '--warmup-timeout', '2s']);
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stderr).toMatch(/warming up: attempt 1 at [\d.]+ s: connection refused/);
    expect(result.stderr).toMatch(/unreachable: http:\/\/127\.0\.0\.1:\d+ did not answer with a success within 2 s \(\d+ attempts, last: connection refused\)/);
    expect(result.stdout).not.toContain('Running');
  } finally {
    await project.remove();
  }
});

test('a deployment still starting at the warm-up timeout is reported with its real answer, not a cut-short attempt', async () => {
  // Each answer takes 20 ms: an attempt squeezed into the last millisecond before the deadline
  // would time out, and the report would blame a timeout instead of the 503s.
  const site = await loopbackSite(() => ({ status: 503, delayMs: 20 }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url, '--warmup-timeout', '2s']);
    expect(result.code, result.stdout + result.stderr).toBe(3);
    expect(result.stderr).toMatch(/did not answer with a success within 2 s \(\d+ attempts, last: 503 Service Unavailable\)/);
    expect(result.stderr).not.toContain('timed out');
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('a protected deployment without a bypass exits 2 and says how to pass one', async () => {
  const site = await loopbackSite(() => ({ status: 401 }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url], { VERCEL_AUTOMATION_BYPASS_SECRET: undefined });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('answered 401');
    expect(result.stderr).toContain('--vercel-bypass-secret');
    expect(site.requests).toHaveLength(1);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('the guard refuses a production host before any request reaches it (exit 2)', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await plainProject();
  try {
    const result = await predeploy(project, ['--base-url', site.url], { VIBES_PRODUCTION_HOSTS: '127.0.0.1' });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('refused to run');
    expect(result.stderr).toContain('VIBES_PRODUCTION_HOSTS');
    // Where the URL came from: the flag, not a config that never named it.
    expect(result.stderr).toMatch(/--base-url — its host 127\.0\.0\.1 is listed as a production host \(in VIBES_PRODUCTION_HOSTS, from the process environment \(your shell or CI\)\)\.\n\s+where it came from: the command line/);
    expect(site.requests).toEqual([]);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('from a monorepo\'s root, --config apps/web/… reads apps/web/.env.test, where the run reads it: its production host is refused', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'monorepo', type: 'module', private: true }),
    'apps/web/playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', workers: 1, use: { baseURL: process.env.BASE_URL } });
`,
    'apps/web/e2e/home.spec.ts': "import { test } from '@playwright/test';\ntest('home @predeploy', () => {});\n",
    'apps/web/.env.test': 'VIBES_PRODUCTION_HOSTS=127.0.0.1\n',
  });
  try {
    const result = await predeploy(project, ['--config', 'apps/web/playwright.config.ts', '--base-url', site.url], { VIBES_PRODUCTION_HOSTS: undefined });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(site.requests).toEqual([]);
    expect(result.stderr).toContain('is listed as a production host (in VIBES_PRODUCTION_HOSTS, from the file apps/web/.env.test)');

    // Not listed: the check runs, and its JUnit report goes beside the config, with Playwright's other reports.
    await project.write('apps/web/.env.test', '');
    const passed = await predeploy(project, ['--config', 'apps/web/playwright.config.ts', '--base-url', site.url], { VIBES_PRODUCTION_HOSTS: undefined });
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toMatch(/junit: +apps\/web\/test-results\/predeploy-junit\.xml/);
    expect(await readFile(path.join(project.dir, 'apps/web/test-results/predeploy-junit.xml'), 'utf8')).toContain('name="home @predeploy"');
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test("the config's own guard.productionHosts refuses the target before any request reaches it, once, naming --base-url, without a stack trace", async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({ guard: { productionHosts: ['127.0.0.1'] } });\n",
    'e2e/home.spec.ts': "import { test } from 'playwright-vibes';\ntest('home @predeploy', () => {});\n",
  });
  try {
    const result = await predeploy(project, ['--base-url', site.url]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(site.requests).toEqual([]);
    expect(result.stdout).not.toContain('guard passed');
    expect(result.stderr).toMatch(/BASE_URL — its host 127\.0\.0\.1 is listed as a production host \(in guard\.productionHosts\)\.\n\s+where it came from: the command line \(vibes predeploy --base-url\)/);
    expect(result.stderr.match(/refused to run/g)).toHaveLength(1);
    expect(stripVTControlCharacters(result.stderr)).toMatch(/at file:\/\/.*playwright\.config\.ts:2/);
    expect(result.stderr).not.toMatch(/at (assertSafeTarget|defineVibesConfig)|refusals: \[/);
    expect(result.stderr).toContain('vibes predeploy: misconfigured: the safety guard in your Playwright config refused the target (see above).');
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test("the preset's own setup failing on this machine (its ledger's database down) is misconfigured (exit 2), not the deployment failing", async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({}, { workers: 1 });\n",
    'e2e/home.spec.ts': "import { test } from 'playwright-vibes';\ntest('home @predeploy', async ({ page }) => { await page.goto('/'); });\n",
  });
  try {
    const result = await predeploy(project, ['--base-url', site.url], { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/gone_test` });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stdout).toContain("result:   MISCONFIGURED: the preset's own setup failed on this machine (see above); the deployment was not checked (exit 2)");
    expect(result.stdout).toMatch(/preset: +\d+ passed, [1-9]\d* failed/);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('misconfigurations exit 2 with a message that says what to do', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: PAGE }));
  const project = await plainProject();
  const empty = await tempProject({ 'package.json': '{"name":"empty"}' });
  // A web server of the config that cannot start: said so, not taken for an empty --grep.
  const brokenServer = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', webServer: { command: 'node -e "process.exit(3)"', url: 'http://127.0.0.1:9' } });
`,
    'e2e/home.spec.ts': "import { test } from '@playwright/test';\ntest('home @predeploy', () => {});\n",
  });
  try {
    const cases: { args: string[]; in?: TempProject; says: RegExp }[] = [
      { args: [], says: /--base-url is required/ },
      { args: ['--base-url', 'preview.example'], says: /--base-url must be an absolute http\(s\) URL/ },
      { args: ['--base-url', 'ftp://127.0.0.1/'], says: /must be an http\(s\) URL/ },
      { args: ['--base-url', site.url, '--warmup-timeout', 'soon'], says: /--warmup-timeout: expected a duration/ },
      { args: ['--base-url', site.url, '--header', 'no colon here'], says: /--header expects "Name: value"/ },
      { args: ['--base-url', site.url, '--header', 'X-Token: a', '--header', 'x-token: b'], says: /--header: the header x-token is given twice/ },
      { args: ['--base-url', site.url, '--vercel-bypass-secret', 's3cr3t', '--header', 'X-Vercel-Protection-Bypass: other'], says: /--header x-vercel-protection-bypass: the Vercel bypass secret \(--vercel-bypass-secret or VERCEL_AUTOMATION_BYPASS_SECRET\) sets this header already/ },
      { args: ['--base-url', site.url, '--no-such-flag'], says: /unknown option '--no-such-flag'/ },
      { args: ['--base-url', site.url, '--config', 'missing.config.ts'], says: /--config missing\.config\.ts: no such file/ },
      { args: ['--base-url', site.url], in: empty, says: /no Playwright config in .*vibes init/ },
      { args: ['--base-url', site.url, '--grep', '@nothing-tagged-so'], says: /no test matches --grep @nothing-tagged-so/ },
      { args: ['--base-url', site.url], in: brokenServer, says: /misconfigured: Playwright stopped before running any test: Error: Process from config\.webServer (was not able to start|exited early)/ },
    ];
    const results = await Promise.all(cases.map((c) => predeploy(c.in ?? project, c.args)));
    cases.forEach((c, i) => {
      const result = results[i]!;
      expect(result.code, `${c.args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(c.says);
    });
  } finally {
    await Promise.all([site.close(), project.remove(), empty.remove(), brokenServer.remove()]);
  }
});

test('tests asking for what a pre-deploy check lacks (webhooks, a SQL count here) exit 2 and say so; a failure of the deployment outranks them (exit 1) @db @stack', async ({ databaseUrl }) => {
  // The deployment's own grant count, at a path: it says 2.
  const site = await loopbackSite((req) => ({ status: 200, body: req.url?.startsWith('/api/test/entitlements') ? '2' : PAGE }));
  const files = (extra: Record<string, string> = {}) => ({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ entitlements: { sql: 'select count(*) from grants where email = $1' } }, { workers: 1 });
`,
    'e2e/webhooks.spec.ts': `import { test } from 'playwright-vibes';
test('pays and gets its webhook @predeploy', async ({ page, user, webhooks }) => {
  await page.goto('/');
  await webhooks.waitFor('checkout.session.completed', { email: user.email });
});
`,
    'e2e/count.spec.ts': `import { test, expect } from 'playwright-vibes';
test('a visitor gets nothing for free @predeploy', async ({ user, entitlements }) => {
  await expect(entitlements).toGrantNothing(user.email);
});
`,
    ...extra,
  });
  const unfit = await tempProject(files());
  const failing = await tempProject(files({
    // A real failure of the deployment: it granted twice. Its message mentions the webhooks it
    // could not show, and is the deployment's failure all the same.
    'e2e/grants.spec.ts': `import { test, expect } from 'playwright-vibes';
test.use({ entitlementsConfig: { url: '/api/test/entitlements' } });
test('a visitor is granted once @predeploy', async ({ user, entitlements }) => {
  await expect(entitlements).toGrantExactlyOnce(user.email);
});
`,
  }));
  try {
    // This machine's database has no grants table; it answers nothing either way, and is not asked.
    const env = { VIBES_DATABASE_URL: databaseUrl, DATABASE_URL: databaseUrl };
    const [onlyUnfit, withFailure] = await Promise.all([predeploy(unfit, ['--base-url', site.url], env), predeploy(failing, ['--base-url', site.url], env)]);
    expect(onlyUnfit.code, onlyUnfit.stdout + onlyUnfit.stderr).toBe(2);
    expect(onlyUnfit.stdout).toMatch(/tests: +0 passed, 2 failed/);
    expect(onlyUnfit.stdout).toMatch(/✗ e2e\/webhooks\.spec\.ts › pays and gets its webhook @predeploy — Error: unavailable in a pre-deploy check: webhooks\. Stripe sends/);
    expect(onlyUnfit.stdout).toMatch(/✗ e2e\/count\.spec\.ts › a visitor gets nothing for free @predeploy — Error: unavailable in a pre-deploy check: entitlements\.sql\. It would count on this machine's database/);
    expect(onlyUnfit.stdout).toContain('result:   MISCONFIGURED: 2 @predeploy tests ask for what a pre-deploy check does not have (see above); the deployment was not fully checked (exit 2)');
    expect(withFailure.code, withFailure.stdout + withFailure.stderr).toBe(1);
    expect(withFailure.stdout).toMatch(/tests: +0 passed, 3 failed/);
    expect(withFailure.stdout).toContain('result:   FAILED: do not go live (exit 1)');
    expect(withFailure.stdout).toMatch(/✗ e2e\/grants\.spec\.ts › a visitor is granted once @predeploy — Error: expect\(entitlements\)\.toGrantExactlyOnce/);
  } finally {
    await Promise.all([site.close(), unfit.remove(), failing.remove()]);
  }
});

test("the deployment's own endpoints, given as paths, count grants and remove users; an app-user SQL removal is left out, and said so @db @stack", async ({ databaseUrl }) => {
  const calls: string[] = [];
  const site = await loopbackSite((req) => {
    if (req.url?.startsWith('/api/test/')) calls.push(`${req.method} ${req.url}`);
    return { status: 200, body: req.url?.startsWith('/api/test/entitlements') ? '0' : PAGE };
  });
  // This machine's database has no `users` table: an SQL removal run here would fail the test.
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({
  entitlements: { url: '/api/test/entitlements' },
  cleanup: { appUser: { sql: 'delete from users where lower(email) = lower($1)' } },
}, { workers: 2 });
`,
    'e2e/home.spec.ts': `import { test, expect } from 'playwright-vibes';
test('a visitor is welcomed @predeploy', async ({ page, user }) => {
  await page.goto('/?email=' + encodeURIComponent(user.email));
  await expect(page.getByText('Welcome to the shop')).toBeVisible();
});
`,
    // In a file of its own, so that two workers may each make a user the deployment keeps: the run still says so once.
    'e2e/by-hand.spec.ts': `import { test, expect } from 'playwright-vibes';
test('a second account, made and tracked by the test itself @predeploy', async ({ page, cleanup }) => {
  await cleanup.track('app-user', 'vibes+by-hand@example.com');
  await page.goto('/?email=vibes%2Bby-hand%40example.com');
  await expect(page.getByText('Welcome to the shop')).toBeVisible();
});
`,
    'e2e/over-http.spec.ts': `import { test, expect } from 'playwright-vibes';
test.use({ cleanupConfig: { appUser: { url: '/api/test/users' } } });
test('a visitor gets nothing for free @predeploy', async ({ user, entitlements }) => {
  console.log('USER ' + user.email);
  await expect(entitlements).toGrantNothing(user.email);
});
`,
  });
  try {
    const result = await predeploy(project, ['--base-url', site.url], { VIBES_DATABASE_URL: databaseUrl });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout.match(/leaves its test users in the deployment's database/g)).toHaveLength(1);
    expect(result.stdout).toContain('set cleanup.appUser.databaseUrl to the deployment');
    // The deployment has its own Stripe and gets its own webhooks: nothing of that starts here,
    // and its Stripe customers, which no Stripe here can reach, are said to stay, not counted removed.
    expect(result.stdout + result.stderr).not.toMatch(/\[(replay server|Stripe emulator)\]/);
    expect(result.stdout.match(/leaves the Stripe customers the deployment makes for its test users/g)).toHaveLength(1);
    const email = encodeURIComponent(/USER (\S+)/.exec(result.stdout)![1]!);
    expect(await rowsIn(databaseUrl, `select kind from vibes.cleanup_ledger where resource_id = '${decodeURIComponent(email)}'`)).toEqual([{ kind: 'app-user' }]);
    expect(calls).toEqual([`GET /api/test/entitlements?email=${email}`, `DELETE /api/test/users?email=${email}`]);
    // Nothing is left pending for a later sweep to fail on, nor failed: not the test's own track either.
    expect(await rowsIn(databaseUrl, 'select kind, label from vibes.cleanup_ledger where removed_at is null')).toEqual([]);
    expect(result.stdout + result.stderr).not.toContain('no appUser removal configured');
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});

test('bypass headers reach the deployment from the warm-up and from the browser, and no trace records them @db @stack', async ({ databaseUrl }) => {
  const vercelSecret = randomBytes(16).toString('hex');
  const customToken = randomBytes(16).toString('hex');
  const allowed = (headers: Record<string, string | string[] | undefined>) =>
    headers['x-vercel-protection-bypass'] === vercelSecret && headers['x-preview-token'] === customToken;
  const site = await loopbackSite((req) => (allowed(req.headers) ? { status: 200, body: PAGE } : { status: 401 }));
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({}, { workers: 1 });
`,
    'e2e/home.spec.ts': `import { test, expect } from 'playwright-vibes';
test('the home page welcomes @predeploy', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('Welcome to the shop')).toBeVisible();
});
// Fails, so its retry would record a trace (on-first-retry): with the headers in it.
test('the home page offers a discount @predeploy', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByText('50% off')).toBeVisible({ timeout: 300 });
});
`,
  });
  try {
    const result = await predeploy(project, ['--base-url', site.url, '--vercel-bypass-secret', vercelSecret, '--header', `X-Preview-Token: ${customToken}`, '--', '--retries', '1'], {
      VIBES_DATABASE_URL: databaseUrl,
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/tests: +1 passed, 1 failed/);
    const files = await readdir(path.join(project.dir, 'test-results'), { recursive: true });
    expect(files.filter((file) => file.endsWith('trace.zip'))).toEqual([]);
    expect(result.stdout).toContain('traces are off: they would record the bypass headers');
    const fromBrowser = site.requests.filter((r) => /Chrome/.test(String(r.headers['user-agent'])));
    expect(fromBrowser.length, 'the browser loaded the page').toBeGreaterThan(0);
    expect(site.requests.filter((r) => r.status !== 200)).toEqual([]);
    // Secrets are sent, never printed: the summary names the headers only.
    expect(result.stdout).toContain('bypass headers: x-vercel-protection-bypass, x-vercel-set-bypass-cookie, x-preview-token');
    expect(result.stdout + result.stderr).not.toContain(vercelSecret);
    expect(result.stdout + result.stderr).not.toContain(customToken);
  } finally {
    await Promise.all([site.close(), project.remove()]);
  }
});
