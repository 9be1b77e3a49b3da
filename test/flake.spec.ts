import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './support/fixtures.js';
import { freePort } from '../core/index.js';
import { runVibes } from './support/cli.js';
import { NESTED_RUN_ENV, tempProject, VIBES_CLI, type TempProject } from './support/temp-project.js';

test.describe.configure({ timeout: 120_000 });

/**
 * A project whose config retries (as CI configs do) and whose tests fail on a known schedule, so
 * the table's numbers are known in advance.
 */
function flakyProject(): Promise<TempProject> {
  return tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', retries: 2, workers: 2 });
`,
    'e2e/checkout.spec.ts': `import { readFileSync, writeFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
test('steady', async () => {
  expect(1 + 1).toBe(2);
});
test('fails on every third repeat', async () => {
  expect(test.info().repeatEachIndex % 3, 'the cache was cold').not.toBe(0);
});
test('grants too often', async () => {
  expect(2, undefined).toBe(1);
});
test('fails in the second separate run', async () => {
  if (test.info().repeatEachIndex > 0) return;
  const file = new URL('../runs.txt', import.meta.url);
  let runs = 0;
  try { runs = Number(readFileSync(file, 'utf8')); } catch {}
  writeFileSync(file, String(runs + 1));
  expect(runs + 1, 'a webhook arrived late').not.toBe(2);
});
`,
  });
}

function flake(project: TempProject, args: string[]) {
  return runVibes(['flake', ...args], { cwd: project.dir, env: NESTED_RUN_ENV });
}

/** The table's row for a test: passes, failures and the first failure, as printed. */
function row(stdout: string, title: string): { passes: number; fails: number; failure: string } {
  const line = stdout.split('\n').find((l) => l.includes(`› ${title}`));
  if (!line) throw new Error(`no row for "${title}" in:\n${stdout}`);
  const match = /^\s*(\d+)\s+(\d+)\s+\S.*?›\s+.+?(?:\s{2,}(.*))?$/.exec(line)!;
  return { passes: Number(match[1]), fails: Number(match[2]), failure: match[3] ?? '' };
}

test('repeats each test without retries and prints passes, failures and the first failure per test', async () => {
  const project = await flakyProject();
  try {
    const result = await flake(project, ['--repeat', '6', '--grep', 'steady|third']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(row(result.stdout, 'steady')).toEqual({ passes: 6, fails: 0, failure: '' });
    const flaky = row(result.stdout, 'fails on every third repeat');
    expect([flaky.passes, flaky.fails]).toEqual([4, 2]);
    expect(flaky.failure).toContain('the cache was cold');
    expect(result.stdout).toContain('1 test failed at least once (2 failures in 12 attempts)');
    // Progress while it runs, ending at the total.
    expect(result.stderr).toMatch(/vibes flake: attempts \(setup and teardown included\) \d+\/12/);
    expect(result.stderr).toContain('vibes flake: attempts (setup and teardown included) 12/12 2 failed so far');
    // A matcher's failure shows what it received, not only the matcher's name.
    const matcher = await flake(project, ['--repeat', '1', '--grep', 'too often']);
    expect(row(matcher.stdout, 'grants too often').failure).toBe('Error: expect(received).toBe(expected) // Object.is equality — Received: 2');
    // The flaky test is listed first.
    expect(result.stdout.indexOf('fails on every third repeat')).toBeLessThan(result.stdout.indexOf('› steady'));
  } finally {
    await project.remove();
  }
});

test('--separate-runs starts a fresh run per repeat; a suite without failures exits 0', async () => {
  const project = await flakyProject();
  try {
    const separate = await flake(project, ['--repeat', '3', '--separate-runs', '--grep', 'separate run']);
    expect(separate.code, separate.stdout + separate.stderr).toBe(1);
    const r = row(separate.stdout, 'fails in the second separate run');
    expect([r.passes, r.fails]).toEqual([2, 1]);
    expect(r.failure).toContain('a webhook arrived late');
    expect(separate.stderr).toContain('(run 3/3)');

    const steady = await flake(project, ['--repeat', '3', '--grep', 'steady']);
    expect(steady.code, steady.stdout + steady.stderr).toBe(0);
    expect(row(steady.stdout, 'steady')).toEqual({ passes: 3, fails: 0, failure: '' });
    expect(steady.stdout).toContain('no failures in 3 attempts');
  } finally {
    await project.remove();
  }
});

test('with two configs it runs the one `npx playwright test` would load (.js before .mts)', async () => {
  const config = (dir: string) => `export default { testDir: './${dir}' };\n`;
  const spec = (title: string) => `import { test } from '@playwright/test';\ntest('${title}', () => {});\n`;
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.js': config('chosen'),
    'playwright.config.mts': config('passed-over'),
    'chosen/a.spec.ts': spec('from the js config'),
    'passed-over/b.spec.ts': spec('from the mts config'),
  });
  try {
    const result = await flake(project, ['--repeat', '1']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('from the js config');
    expect(result.stdout).not.toContain('from the mts config');
  } finally {
    await project.remove();
  }
});

test('misconfigurations exit 2', async () => {
  const project = await flakyProject();
  const empty = await tempProject({ 'package.json': '{"name":"empty"}' });
  try {
    const noConfig = await runVibes(['flake'], { cwd: empty.dir, env: NESTED_RUN_ENV });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('no Playwright config');
    const badRepeat = await flake(project, ['--repeat', 'often']);
    expect(badRepeat.code).toBe(2);
    expect(badRepeat.stderr).toContain('expected a positive whole number');
    const nothing = await flake(project, ['--grep', '@no-such-tag']);
    expect(nothing.code, nothing.stdout + nothing.stderr).toBe(2);
    expect(nothing.stderr).toContain('vibes flake: no test matches --grep @no-such-tag.');
  } finally {
    await Promise.all([project.remove(), empty.remove()]);
  }
});

test('the guard in the runs names .env.test as where a value came from, not the process environment', async () => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({});\n",
    'e2e/home.spec.ts': "import { test } from 'playwright-vibes';\ntest('home', async () => {});\n",
    '.env.test': 'DATABASE_URL=postgres://app@db.prod.example.com/app\n',
  });
  try {
    const result = await flake(project, ['--repeat', '1']);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('✗ test database: DATABASE_URL — it points at database "app" on db.prod.example.com');
    expect(result.stderr).toContain('where it came from: the file .env.test');
    expect(result.stderr).not.toContain('the process environment');
  } finally {
    await project.remove();
  }
});

test('a run Playwright fails outside every test (a worker fixture whose teardown throws) exits 1 and says so', async () => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', workers: 1 });
`,
    'e2e/teardown.spec.ts': `import { test as base, expect } from '@playwright/test';
const test = base.extend<{}, { server: number }>({
  server: [async ({}, use) => {
    await use(1);
    throw new Error('the server would not stop');
  }, { scope: 'worker' }],
});
test('passes', async ({ server }) => {
  expect(server).toBe(1);
});
`,
  });
  try {
    const result = await flake(project, ['--repeat', '2']);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain('no failures in 2 attempts');
    expect(result.stderr).toContain('vibes flake: Playwright failed a run where no test failed: an error outside the tests');
    expect(result.stderr).toContain('the server would not stop');
  } finally {
    await project.remove();
  }
});

test('a SIGTERM sent to vibes flake alone reaches Playwright, which stops its web servers: nothing goes on without it', async () => {
  const port = await freePort();
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineConfig } from '@playwright/test';
export default defineConfig({ testDir: './e2e', workers: 1, webServer: { command: 'node server.js', url: 'http://127.0.0.1:${port}' } });
`,
    'server.js': `import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
writeFileSync('server.pid', String(process.pid));
createServer((req, res) => res.end('up')).listen(${port}, '127.0.0.1');
`,
    'e2e/slow.spec.ts': `import { writeFileSync } from 'node:fs';
import { test } from '@playwright/test';
test('waits', async () => {
  writeFileSync(new URL('../worker.pid', import.meta.url), String(process.pid));
  await new Promise((resolve) => setTimeout(resolve, 60_000));
});
`,
  });
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  try {
    const vibes = spawn(process.execPath, [VIBES_CLI, 'flake', '--repeat', '1'], { cwd: project.dir, env: { ...process.env, ...NESTED_RUN_ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    vibes.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((resolve) => vibes.once('close', resolve));
    const pidFile = path.join(project.dir, 'worker.pid');
    await expect.poll(() => existsSync(pidFile), { timeout: 30_000 }).toBe(true);
    const worker = Number(readFileSync(pidFile, 'utf8'));
    vibes.kill('SIGTERM');
    expect(await exited).toBe(1);
    // Said as an interruption, not as the test failing.
    expect(stderr).toContain('vibes flake: interrupted (Ctrl-C or a signal): the counts above cover only the attempts that finished.');
    await expect.poll(() => alive(worker), { message: 'the Playwright worker outlived vibes', timeout: 15_000 }).toBe(false);
    const server = Number(readFileSync(path.join(project.dir, 'server.pid'), 'utf8'));
    await expect.poll(() => alive(server), { message: 'the web server outlived the run', timeout: 15_000 }).toBe(false);
  } finally {
    await project.remove();
  }
});

test("the preset's setup and teardown, which run once per run, are counted apart from the repeated tests @db @stack", async ({ databaseUrl }) => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': "import { defineVibesConfig } from 'playwright-vibes';\nexport default defineVibesConfig({}, { workers: 1 });\n",
    'e2e/math.spec.ts': "import { test, expect } from 'playwright-vibes';\ntest('adds', async () => {\n  expect(1 + 1).toBe(2);\n});\n",
  });
  try {
    const result = await runVibes(['flake', '--repeat', '3'], { cwd: project.dir, env: { ...NESTED_RUN_ENV, VIBES_DATABASE_URL: databaseUrl } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('vibes flake: 1 test, repeated 3 times in one run, no retries');
    expect(row(result.stdout, 'adds')).toEqual({ passes: 3, fails: 0, failure: '' });
    expect(result.stdout).not.toContain('[vibes-setup]');
    expect(result.stdout).toMatch(/the preset's setup and teardown \(safety guard, replay server, cleanup\), once per run: [1-9]\d* passed\n/);
    expect(result.stdout).toContain('vibes flake: no failures in 3 attempts');

    // A replay server that does not answer fails the setup: its tests are skipped, and that is a failure.
    const port = await freePort();
    const broken = await runVibes(['flake', '--repeat', '2'], { cwd: project.dir, env: { ...NESTED_RUN_ENV, VIBES_DATABASE_URL: databaseUrl, VIBES_REPLAY_URL: `http://127.0.0.1:${port}` } });
    expect(broken.code, broken.stdout + broken.stderr).toBe(1);
    expect(broken.stdout).toMatch(/once per run: \d+ passed, 1 failed\n  ✗ \[vibes-setup\] .*the replay server answers — /);
    expect(broken.stdout).toContain('vibes flake: no failures in 0 attempts');
    expect(broken.stderr).toContain("the preset's own setup or teardown failed (see above); the tests it stopped were skipped and are not counted");
  } finally {
    await project.remove();
  }
});
