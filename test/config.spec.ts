import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { test, expect } from '@playwright/test';
import { runVibes } from './support/cli.js';
import { loopbackSite } from './support/loopback-site.js';
import { freePort } from '../core/index.js';
import { NO_VIBES_SERVERS, runPlaywright, tempProject } from './support/temp-project.js';

const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** defineVibesConfig in a process of its own: it reserves ports and sets variables for the run. */
async function configWith(env: NodeJS.ProcessEnv, options = '{}'): Promise<{ webServer: { name: string; command: string; env?: Record<string, string> }[]; use: { baseURL?: string }; stderr: string }> {
  const source = `const { defineVibesConfig } = await import('playwright-vibes'); process.stdout.write(JSON.stringify(defineVibesConfig(${options})));`;
  // As the runner loads it: not as a worker (TEST_WORKER_INDEX), which says nothing of unused options.
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], { env: { ...process.env, VIBES_PORTS: '', TEST_WORKER_INDEX: undefined, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  expect(code, stderr).toBe(0);
  return { ...JSON.parse(stdout), stderr };
}

test('an external replay server named with a trailing slash gets the emulator\'s webhooks at /webhooks/stripe, not //webhooks/stripe', async () => {
  const config = await configWith({ VIBES_REPLAY_URL: 'http://127.0.0.1:4545/', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' });
  const emulator = config.webServer.find((s) => s.name === 'Stripe emulator');
  expect(emulator?.command).toMatch(/--webhook-url http:\/\/127\.0\.0\.1:4545\/webhooks\/stripe$/);
  expect(config.webServer.map((s) => s.name)).not.toContain('replay server');
});

test('on CI (CI set) a run retries once, fails on flaky tests and test.only, and writes html, junit and blob reports; locally none of that', async () => {
  const reporters = (config: { reporter?: unknown }) => (config.reporter as [string][]).map(([name]) => (name.endsWith('reporter.js') ? 'vibes' : name));
  const ci = (await configWith({ CI: 'true' })) as unknown as { retries: number; failOnFlakyTests: boolean; forbidOnly: boolean; reporter: unknown; use: { trace?: string } };
  expect([ci.retries, ci.failOnFlakyTests, ci.forbidOnly, ci.use.trace]).toEqual([1, true, true, 'on-first-retry']);
  expect(reporters(ci)).toEqual(['list', 'html', 'junit', 'blob', 'vibes']);
  const local = (await configWith({ CI: '' })) as unknown as typeof ci;
  expect([local.retries, local.failOnFlakyTests, local.forbidOnly]).toEqual([0, false, false]);
  expect(reporters(local)).toEqual(['list', 'vibes']);
});

test('BASE_URL beats a configured baseURL: under vibes predeploy the preview is tested, not whatever listens locally', async () => {
  const options = "{ app: { command: 'npm run dev', url: 'http://localhost:3000' }, baseURL: 'http://localhost:3000' }";
  const preview = await configWith({ BASE_URL: 'https://shop-git-main.example.app', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, options);
  expect(preview.use.baseURL).toBe('https://shop-git-main.example.app');
  expect(preview.webServer.map((s) => s.name)).not.toContain('app');
  const local = await configWith({ BASE_URL: undefined, STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, options);
  expect(local.use.baseURL).toBe('http://localhost:3000');
  expect(local.webServer.map((s) => s.name)).toContain('app');
  // The app's stdout is Playwright's to show ([app] …) when asked for; by default only its stderr.
  expect((local.webServer.find((s) => s.name === 'app') as { stdout?: string }).stdout).toBeUndefined();
  const piped = await configWith({ BASE_URL: undefined, STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, "{ app: { command: 'npm run dev', url: 'http://localhost:3000', stdout: 'pipe' } }");
  expect((piped.webServer.find((s) => s.name === 'app') as { stdout?: string }).stdout).toBe('pipe');
});

test('an app already running locally is reused only when it can take part: Stripe test mode and your own webhook secret', async () => {
  const options = "{ app: { command: 'npm run dev', url: 'http://localhost:3000' } }";
  const reuse = async (env: NodeJS.ProcessEnv, given = options) =>
    ((await configWith({ BASE_URL: undefined, CI: '', ...env }, given)).webServer.find((s) => s.name === 'app') as { reuseExistingServer?: boolean } | undefined)?.reuseExistingServer;
  // The emulator's port and a run's own secret are new each run: a dev server started earlier knows neither.
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' })).toBe(false);
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: 'whsec_from_env_test' })).toBe(false);
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: '' })).toBe(false);
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_from_env_test' })).toBe(true);
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_from_env_test', CI: 'true' })).toBe(false);
  // Said outright, it is what the config says.
  expect(await reuse({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' }, "{ app: { command: 'npm run dev', url: 'http://localhost:3000', reuseExistingServer: true } }")).toBe(true);
});

test("the config's allowed database hosts go with the servers, which guard the database they write to", async () => {
  const options = "{ app: 'demo', guard: { allowDatabaseHosts: ['db.ci.internal'] } }";
  const config = await configWith({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '', VIBES_REPLAY_URL: '', VIBES_ALLOW_DATABASE_HOSTS: 'db.shell.internal' }, options);
  for (const name of ['replay server', 'demo app']) {
    expect(config.webServer.find((s) => s.name === name)?.env?.VIBES_ALLOW_DATABASE_HOSTS, name).toBe('db.shell.internal,db.ci.internal');
  }
});

test('options for a server that runs elsewhere are said to be unused, once, by the runner', async () => {
  const options = "{ webhooks: { forwardTo: 'http://localhost:3000/api/stripe/webhook', port: 4343 }, stripe: { rateLimit: 25 } }";
  const elsewhere = { VIBES_REPLAY_URL: 'http://127.0.0.1:4545', STRIPE_EMULATOR_URL: 'http://127.0.0.1:12111', STRIPE_SECRET_KEY: '' };
  const runner = await configWith(elsewhere, options);
  // Once each, and not forwardTo: vibes init writes it for every project, compose set-ups included.
  expect(runner.stderr.match(/vibes: webhooks\.port is not used: the replay server at http:\/\/127\.0\.0\.1:4545 runs elsewhere and keeps the --port it was started with\./g)).toHaveLength(1);
  expect(runner.stderr.match(/vibes: stripe\.rateLimit is not used: the Stripe emulator at http:\/\/127\.0\.0\.1:12111 runs elsewhere; start it with --rate-limit\./g)).toHaveLength(1);
  expect(runner.stderr).not.toContain('forwardTo');
  expect((await configWith({ ...elsewhere, TEST_WORKER_INDEX: '0' }, options)).stderr).not.toContain('is not used');
  const recorded = await configWith(elsewhere, "{ webhooks: { import: 'e2e/recorded.ndjson' } }");
  expect(recorded.stderr).toContain('vibes: webhooks.import is not used: the replay server at http://127.0.0.1:4545 runs elsewhere; import into it with `npx vibes replay-server import e2e/recorded.ndjson`');
  // Started by the run, the servers take them, and nothing is said.
  const here = await configWith({ VIBES_REPLAY_URL: '', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, options);
  expect(here.stderr).not.toContain('is not used');
  expect(here.webServer.find((s) => s.name === 'Stripe emulator')?.command).toContain('--rate-limit 25');
});

test('a run whose replay server would forward nowhere says so once: webhooks.forwardTo is missing', async () => {
  const env = { VIBES_REPLAY_URL: '', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' };
  const missing = await configWith(env, "{ app: { command: 'npm run dev', url: 'http://localhost:3000' } }");
  expect(missing.stderr.match(/vibes: webhooks\.forwardTo is not set, so the replay server stores Stripe's events and forwards them nowhere: your app gets no webhooks\. Set it to your app's webhook route/g)).toHaveLength(1);
  expect((await configWith({ ...env, TEST_WORKER_INDEX: '0' }, "{ app: { command: 'npm run dev', url: 'http://localhost:3000' } }")).stderr).not.toContain('forwardTo');
  // Set, or the demo (whose route the preset knows), or a replay server run elsewhere with its own --forward-to: nothing said.
  expect((await configWith(env, "{ app: { command: 'npm run dev', url: 'http://localhost:3000' }, webhooks: { forwardTo: 'http://localhost:3000/api/stripe/webhook' } }")).stderr).not.toContain('forwardTo');
  expect((await configWith(env, "{ app: 'demo' }")).stderr).not.toContain('forwardTo');
  expect((await configWith({ ...env, VIBES_REPLAY_URL: 'http://127.0.0.1:4545' }, '{}')).stderr).not.toContain('forwardTo');
});

test('an empty variable is an unset one: VIBES_REPLAY_URL=, STRIPE_EMULATOR_URL= and BASE_URL= start the servers here', async () => {
  const config = await configWith({ VIBES_REPLAY_URL: '', STRIPE_EMULATOR_URL: '', BASE_URL: '', STRIPE_SECRET_KEY: '' }, "{ app: 'demo' }");
  expect(config.webServer.map((s) => s.name)).toEqual(['replay server', 'Stripe emulator', 'demo app']);
  expect(config.webServer.find((s) => s.name === 'Stripe emulator')?.command).toMatch(/--webhook-url http:\/\/127\.0\.0\.1:\d+\/webhooks\/stripe/);
  expect(config.webServer.find((s) => s.name === 'demo app')?.env?.STRIPE_EMULATOR_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(config.use.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});

test("with the emulator, the app gets the run's test key, over the one its own .env holds; an app that needs a key starts", async () => {
  const port = await freePort();
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    // An app that reads its own .env, as node --env-file and dotenv do: the environment wins over the
    // file. (A live key there is refused outright: guard.spec.)
    '.env': 'STRIPE_SECRET_KEY=sk_test_from_the_dev_env_file\n',
    'server.mjs': `import { createServer } from 'node:http';
const key = process.env.STRIPE_SECRET_KEY;
if (!key) throw new Error('STRIPE_SECRET_KEY is required');
createServer((req, res) => res.end(key)).listen(${port}, '127.0.0.1');
`,
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ app: { command: 'node --env-file=.env server.mjs', url: 'http://127.0.0.1:${port}' } });
`,
    'e2e/key.spec.ts': `import { test, expect } from 'playwright-vibes';
test('the key the app got', async ({ request }) => {
  const key = await (await request.get('/')).text();
  expect(key).toMatch(/^sk_test_/);
  expect(key).not.toBe('sk_test_from_the_dev_env_file');
});
`,
  });
  try {
    const run = await runPlaywright(project, ['--project=chromium', '--no-deps', '--reporter=list'], { ...NO_VIBES_SERVERS, STRIPE_SECRET_KEY: '' });
    expect(run.code, run.output).toBe(0);
  } finally {
    await project.remove();
  }
});

test('an app already answering at app.url is said before Playwright stops on its port, with the right fix', async () => {
  const site = await loopbackSite(() => ({ status: 200, body: 'a dev server' }));
  try {
    const app = (url: string) => `{ app: { command: 'node server.js', url: '${url}' } }`;
    const taken = await configWith({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, app(site.url));
    // The process that holds the port, named (this test's own worker serves the site).
    expect(taken.stderr).toContain(`vibes: something already answers at ${site.url} (pid ${process.pid}: ${process.execPath}`);
    expect(taken.stderr).toContain(`: your dev server, or an app a killed run left running? This run starts its own app, which knows the run's Stripe emulator and webhook secret: stop that one first (kill ${process.pid}).`);
    // So is a replay server's fixed port (webhooks.port, for stripe listen), with the way to use what is there.
    const port = new URL(site.url).port;
    const replay = await configWith({ VIBES_REPLAY_URL: '', STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, `{ webhooks: { port: ${port} } }`);
    expect(replay.stderr).toContain(`vibes: something already answers at http://127.0.0.1:${port} (pid ${process.pid}: `);
    expect(replay.stderr).toContain(`the webhooks.port this run starts its replay server on: a replay server you started yourself, or one a killed run left? Stop that one first (kill ${process.pid}), or, if it is a replay server, use it: VIBES_REPLAY_URL=http://127.0.0.1:${port}.`);
    const free = await configWith({ STRIPE_EMULATOR_URL: '', STRIPE_SECRET_KEY: '' }, app(`http://127.0.0.1:${await freePort()}`));
    expect(free.stderr).not.toContain('already answers');
    expect(free.webServer.find((s) => s.name === 'app')).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
  } finally {
    await site.close();
  }
});

test('a hung app a killed run left (it accepts connections, never answers) stops the run at once, not after an endless wait', async () => {
  test.setTimeout(120_000);
  // Playwright's own check of an app's URL waits for an answer without a timeout.
  const sockets = new Set<Socket>();
  const hung = createNetServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const port = (hung.address() as AddressInfo).port;
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ app: { command: 'node -e "setInterval(() => {}, 1000)"', url: 'http://127.0.0.1:${port}' }, webhooks: { forwardTo: 'http://127.0.0.1:${port}/hook' } });
`,
    'e2e/any.spec.ts': "import { test } from 'playwright-vibes';\ntest('never runs', () => {});\n",
  });
  try {
    const run = await runPlaywright(project, ['--project=chromium', '--no-deps', '--reporter=list'], { ...NO_VIBES_SERVERS, STRIPE_SECRET_KEY: '' });
    expect(run.code, run.output).not.toBe(0);
    expect(run.output).toContain(`vibes: something already answers at http://127.0.0.1:${port}`);
    expect(run.output).toMatch(/is already used/);
  } finally {
    for (const socket of sockets) socket.destroy();
    hung.close();
    await project.remove();
  }
});

test('the public types take a partial flows config, as the README and the spec vibes init writes show it', async () => {
  // `next build` type-checks playwright.config.ts: a type that wants every path and button breaks the app's build.
  const project = await tempProject({
    'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: true, types: [] }, include: ['*.ts', 'e2e/*.ts'] }),
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': `import { defineVibesConfig } from 'playwright-vibes';
export default defineVibesConfig({ flows: { paths: { signup: '/register' }, buttons: { upgrade: /go pro/i } } });
`,
    'e2e/account.spec.ts': `import { test } from 'playwright-vibes';
test.use({ flowsConfig: { paths: { account: '/account' }, deletedMessage: 'Goodbye' } });
test('deletes', async ({ flows }) => {
  await flows.deleteAccount();
});
`,
  });
  try {
    const tsc = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [TSC, '-p', project.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.once('close', (code) => resolve({ code, output }));
    });
    expect(tsc.output).toBe('');
    expect(tsc.code).toBe(0);
  } finally {
    await project.remove();
  }
});

test("without defineVibesConfig or VIBES_REPLAY_URL, the fixtures look for the replay server where `vibes replay-server` listens by default", async () => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', type: 'module' }),
    'playwright.config.ts': "import { defineConfig } from '@playwright/test';\nexport default defineConfig({ testDir: './e2e' });\n",
    'e2e/where.spec.ts': "import { test } from 'playwright-vibes';\ntest('where', ({ vibes }) => console.log(`replay server: ${vibes.replayServerUrl}`));\n",
  });
  try {
    const run = await runPlaywright(project, ['--reporter=line']);
    expect(run.code, run.output).toBe(0);
    const help = await runVibes(['replay-server', 'start', '--help']);
    const port = /--port <port> .*\(default: (\d+)\)/.exec(help.stdout)?.[1];
    expect(run.output).toContain(`replay server: http://127.0.0.1:${port}\n`);
  } finally {
    await project.remove();
  }
});
