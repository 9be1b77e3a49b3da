import { randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from './support/fixtures.js';
import { freePort } from '../core/index.js';
import { runVibes, startVibes } from './support/cli.js';
import { NESTED_RUN_ENV, NO_VIBES_SERVERS, runPlaywright, tempProject, VIBES_CLI, type TempProject } from './support/temp-project.js';

const read = (project: TempProject, file: string) => readFile(path.join(project.dir, file), 'utf8');
const exists = (project: TempProject, file: string) => stat(path.join(project.dir, file)).then(() => true, () => false);
const init = (project: TempProject, args: string[] = [], env: NodeJS.ProcessEnv = {}) => runVibes(['init', ...args], { cwd: project.dir, env: { ...NESTED_RUN_ENV, ...env } });
/** A machine with no Chromium init could find: VIBES_CHROMIUM names nothing. */
const NO_BROWSER = { VIBES_CHROMIUM: '/nonexistent/chromium' };

test('detects an Express app: package manager, port, start script and the route that verifies Stripe signatures', async () => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'shop', scripts: { dev: 'node server.js --port 4100' }, dependencies: { express: '^5.0.0' } }, null, 2),
    'yarn.lock': '',
    // Every route in one file (Fastify walkthrough: init took the first, /signup): the one whose handler verifies.
    'src/routes/billing.js': `router.post('/signup', async (req, res) => res.redirect('/dashboard'));
router.post('/billing/stripe-events', express.raw({ type: 'application/json' }), (req, res) => {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);
});
router.post('/account/delete', async (req, res) => res.redirect('/'));
`,
    'src/stripe.js': "export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);\n",
  });
  try {
    const result = await init(project, [], NO_BROWSER);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('package manager: yarn (yarn.lock)');
    expect(result.stdout).toContain('framework:       Express');
    expect(result.stdout).toContain('app:             yarn dev → http://localhost:4100');
    expect(result.stdout).toContain('webhook:         http://localhost:4100/billing/stripe-events (src/routes/billing.js)');

    const config = await read(project, 'playwright.config.ts');
    expect(config).toContain("import { defineVibesConfig } from 'playwright-vibes';");
    expect(config).toContain("command: 'yarn dev'");
    expect(config).toContain("url: 'http://localhost:4100'");
    expect(config).toContain("forwardTo: 'http://localhost:4100/billing/stripe-events'");
    expect(config).not.toContain("stdout: 'pipe'");
    expect(await read(project, 'e2e/checkout.smoke.spec.ts')).toContain("@smoke'");
    expect(await read(project, '.env.test.example')).toContain('VIBES_DATABASE_URL');
    expect(await read(project, '.github/workflows/smoke.yml')).toContain('yarn install --frozen-lockfile');
    expect(await read(project, '.github/workflows/predeploy.yml')).toContain('deployment_status');

    const pkg = JSON.parse(await read(project, 'package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts).toEqual({
      dev: 'node server.js --port 4100',
      'test:e2e': 'playwright test',
      'test:smoke': 'playwright test --grep @smoke',
      'test:flake': 'vibes flake',
      'check:predeploy': 'vibes predeploy --grep @predeploy',
    });
    expect(pkg.dependencies).toEqual({ express: '^5.0.0' });
    expect(await read(project, '.gitignore')).toContain('.env.test.local');
    // Next steps, in the app's own package manager.
    expect(result.stdout).toContain('yarn add -D playwright-vibes @playwright/test');
    expect(result.stdout).toContain('yarn playwright install --with-deps chromium');
    expect(result.stdout).toContain('Run it: yarn test:e2e');
    // No file reads STRIPE_EMULATOR_URL: the likeliest first failure, said with the file to change.
    expect(result.stdout).toContain("Make your app's Stripe client (src/stripe.js) follow STRIPE_EMULATOR_URL when it is set (README, \"Set up in your app\", step 5)");

    // Once the client follows the emulator, and with a Chromium on the machine, neither step is there.
    await project.write('src/stripe.js', "const emulator = process.env.STRIPE_EMULATOR_URL && new URL(process.env.STRIPE_EMULATOR_URL);\nexport const stripe = new Stripe(process.env.STRIPE_SECRET_KEY, emulator ? {} : {});\n");
    const chromium = path.join(project.dir, 'chromium');
    await project.write('chromium', '');
    const again = await init(project, ['--dry-run'], { VIBES_CHROMIUM: chromium });
    expect(again.stdout).toContain(`browser:         ${chromium} (VIBES_CHROMIUM)`);
    expect(again.stdout).not.toContain('playwright install');
    expect(again.stdout).not.toContain('follow STRIPE_EMULATOR_URL');
  } finally {
    await project.remove();
  }
});

test("finds the port an Express app listens on in its .env or its own code; a framework's default is marked a guess to check", async () => {
  const pkg = JSON.stringify({ name: 'shop', scripts: { dev: 'node --env-file=.env server.js' }, dependencies: { express: '^5.0.0' } });
  const fromEnv = await tempProject({ 'package.json': pkg, '.env': 'DATABASE_URL=postgres://localhost/dev\nPORT=4000\n', 'server.js': 'app.listen(process.env.PORT);\n' });
  const fromCode = await tempProject({ 'package.json': pkg, 'server.js': "const port = Number(process.env.PORT ?? 4100);\napp.listen(port);\n" });
  const guessed = await tempProject({ 'package.json': pkg, 'server.js': 'app.listen(process.env.PORT);\n' });
  // Next.js serves on its own port whatever .env says; a script elsewhere that listens is not the app.
  const next = await tempProject({
    'package.json': JSON.stringify({ name: 'web', scripts: { dev: 'next dev' }, dependencies: { next: '^16.0.0' } }),
    '.env': 'PORT=8080\n',
    'scripts/worker.ts': 'server.listen(9000);\n',
  });
  try {
    const [env, code, guess, nextApp] = await Promise.all([init(fromEnv, ['--dry-run']), init(fromCode, ['--dry-run']), init(guessed), init(next, ['--dry-run'])]);
    expect(nextApp.stdout).toContain('app:             npm run dev → http://localhost:3000');
    expect(env.stdout).toContain('app:             npm run dev → http://localhost:4000');
    expect(code.stdout).toContain('app:             npm run dev → http://localhost:4100');
    expect(guess.stdout).toContain('app:             npm run dev → http://localhost:3000');
    expect(guess.stdout).toContain('  ADAPT: port 3000 is a guess (nothing in the app named one)');
    const config = await read(guessed, 'playwright.config.ts');
    expect(config).toContain("port 3000 (Express's default).");
    expect(config).toContain('// ADAPT: port 3000 is a guess (nothing in the app named one): set app.url to where your app listens');
    expect(await read(fromCode, 'package.json')).toBe(pkg);
    // Its dev script reads .env, which CI does not have: said so in the config.
    expect(config).toContain('// ADAPT: the "dev" script reads .env (--env-file), which a CI machine does not have, so the app would not start there');
  } finally {
    await Promise.all([fromEnv.remove(), fromCode.remove(), guessed.remove(), next.remove()]);
  }
});

test('a Python app: init says it read no Python, instead of saying no file follows the emulator', async () => {
  const flask = await tempProject({
    'package.json': JSON.stringify({ name: 'flask-shop', private: true }),
    'requirements.txt': 'flask\nstripe\n',
    'app.py': "stripe.api_base = os.environ.get('STRIPE_EMULATOR_URL', stripe.api_base)\n@app.route('/stripe/webhook', methods=['POST'])\n",
  });
  try {
    const result = await init(flask, ['--dry-run', '--app-command', 'python3 app.py', '--port', '5000', '--webhook-path', '/stripe/webhook']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('framework:       none recognised: a Python app (requirements.txt), and init reads only JavaScript and TypeScript: check the command, port and webhook below');
    expect(result.stdout).toContain('init reads no Python, so it cannot tell whether it does.');
    expect(result.stdout).toContain('The CI workflows set up Node only: add your Python set-up');
    expect(result.stdout).not.toContain('no file reads it yet');
    expect(result.stdout).toContain('python3 app.py → http://localhost:5000');
    // A command that binds 127.0.0.1 is reached there: Django's ALLOWED_HOSTS = ['127.0.0.1'] refuses a Host of localhost.
    const django = await init(flask, ['--dry-run', '--app-command', 'python3 manage.py runserver 127.0.0.1:8000', '--port', '8000']);
    expect(django.stdout).toContain('python3 manage.py runserver 127.0.0.1:8000 → http://127.0.0.1:8000');
  } finally {
    await flask.remove();
  }
});

test("detects a NestJS app's webhook from @Controller and @Post under its global prefix, its port from src/main.ts, and builds before a start that runs dist", async () => {
  const nest = await tempProject({
    'package.json': JSON.stringify({ name: 'nest-shop', scripts: { build: 'nest build', start: 'node dist/main' }, dependencies: { '@nestjs/core': '^11.0.0' } }),
    'src/main.ts': "const app = await NestFactory.create(AppModule, { rawBody: true });\napp.setGlobalPrefix('api');\nawait app.listen(process.env.PORT ?? 3417);\n",
    'src/webhook.controller.ts': "@Controller('stripe')\nexport class WebhookController {\n  @Post('webhook')\n  handle(@Req() req) { return this.stripe.webhooks.constructEvent(req.rawBody, sig, secret); }\n}\n",
  });
  const nuxt = await tempProject({
    'package.json': JSON.stringify({ name: 'nuxt-shop', scripts: { dev: 'nuxt dev' }, dependencies: { nuxt: '^4.0.0' } }),
    'server/api/webhooks/stripe.post.ts': 'export default defineEventHandler(async (event) => stripe.webhooks.constructEvent(await readRawBody(event), sig, secret));\n',
  });
  try {
    const [fromNest, fromNuxt] = await Promise.all([init(nest, ['--dry-run']), init(nuxt, ['--dry-run'])]);
    expect(fromNest.stdout).toContain(`webhook:         http://localhost:3417/api/stripe/webhook (${path.join('src', 'webhook.controller.ts')})`);
    expect(fromNest.stdout).toContain('app:             npm run build && npm run start → http://localhost:3417');
    expect(fromNuxt.stdout).toContain(`webhook:         http://localhost:3000/api/webhooks/stripe (${path.join('server', 'api', 'webhooks', 'stripe.post.ts')})`);
    // Nest's Logger (as Fastify's pino) writes to stdout: the config shows it, where "the app's log says why" points.
    expect((await init(nest, [], NO_BROWSER)).code).toBe(0);
    expect(await read(nest, 'playwright.config.ts')).toContain("    // NestJS logs to stdout: shown as [app] beside its errors, where a failure's \"the app's log says why\" points.\n    stdout: 'pipe',\n");
  } finally {
    await Promise.all([nest.remove(), nuxt.remove()]);
  }
});

test('detects a Next.js app: pnpm from packageManager, its port flag, an app-router webhook route', async () => {
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'saas', packageManager: 'pnpm@9.12.0', scripts: { dev: 'next dev -p 3005' }, dependencies: { next: '15.0.0', react: '19.0.0' } }),
    'package-lock.json': '{}',
    'src/app/(billing)/api/webhooks/stripe/route.ts': 'export async function POST(req: Request) { stripe.webhooks.constructEvent(await req.text(), sig, secret); }\n',
  });
  try {
    const result = await init(project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('package manager: pnpm ("packageManager" in package.json)');
    expect(result.stdout).toContain('framework:       Next.js');
    const config = await read(project, 'playwright.config.ts');
    expect(config).toContain("command: 'pnpm dev'");
    expect(config).toContain("forwardTo: 'http://localhost:3005/api/webhooks/stripe'");
    expect(await read(project, '.github/workflows/smoke.yml')).toContain('pnpm/action-setup@v4');
  } finally {
    await project.remove();
  }
});

test('detects a Remix folder route, and keeps a CRLF package.json in CRLF with its indentation', async () => {
  const crlf = JSON.stringify({ name: 'remix-shop', scripts: { dev: 'remix dev' }, dependencies: { '@remix-run/node': '^2.0.0' } }, null, 2).replace(/\n/g, '\r\n');
  const project = await tempProject({
    'package.json': `${crlf}\r\n`,
    'app/routes/api.stripe-webhook/route.ts': 'export async function action({ request }) { stripe.webhooks.constructEvent(await request.text(), sig, secret); }\n',
  });
  try {
    const result = await init(project);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('/api/stripe-webhook (app/routes/api.stripe-webhook/route.ts)');
    const pkg = await read(project, 'package.json');
    expect(pkg.split('\r\n')[1]).toBe('  "name": "remix-shop",');
    expect(pkg.replace(/\r\n/g, ''), 'every line ends in CRLF').not.toContain('\n');
    expect(JSON.parse(pkg).scripts['test:e2e']).toBe('playwright test');
  } finally {
    await project.remove();
  }
});

test('never overwrites without --force; an existing Playwright config is kept and its testDir used', async () => {
  const existingConfig = "import { defineConfig } from '@playwright/test';\nexport default defineConfig({ testDir: './tests' });\n";
  const project = await tempProject({
    // "type": "module", as in the init suite test below: the package is linked here, not installed.
    'package.json': JSON.stringify({ name: 'shop', type: 'module', scripts: { dev: 'vite', 'test:e2e': 'my own e2e' }, devDependencies: { vite: '^6.0.0', '@playwright/test': '^1.50.0' } }),
    'playwright.config.js': existingConfig,
    '.env.test.example': 'MINE=1\n',
  });
  try {
    const first = await init(project);
    expect(first.code, first.stderr).toBe(0);
    expect(await read(project, 'playwright.config.js')).toBe(existingConfig);
    expect(await exists(project, 'playwright.config.ts')).toBe(false);
    expect(await read(project, '.env.test.example')).toBe('MINE=1\n');
    expect(await exists(project, 'tests/checkout.smoke.spec.ts')).toBe(true);
    expect(first.stdout).toContain('skipped playwright.config.ts: playwright.config.js exists (--force overwrites it)');
    expect(first.stdout).toContain('wrap it with defineVibesConfig');
    expect(first.stdout).toContain('Left as they were (3): playwright.config.js, .env.test.example, script "test:e2e"');
    expect(first.stdout).not.toContain('@playwright/test\n'); // already installed: only playwright-vibes to add
    expect(first.stdout).toContain('npm install -D playwright-vibes');
    const pkg = JSON.parse(await read(project, 'package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:e2e']).toBe('my own e2e');
    expect(first.stdout).toContain('Run it: npx playwright test');

    // A second run changes nothing, including the user's edits to what the first one wrote.
    await project.write('tests/checkout.smoke.spec.ts', '// my edits\n');
    const before = await read(project, 'package.json');
    const second = await init(project);
    expect(second.code).toBe(0);
    expect(await read(project, 'tests/checkout.smoke.spec.ts')).toBe('// my edits\n');
    expect(await read(project, 'package.json')).toBe(before);
    expect(second.stdout).not.toMatch(/^\s+wrote /m);

    const forced = await init(project, ['--force']);
    expect(forced.code).toBe(0);
    expect(await read(project, 'tests/checkout.smoke.spec.ts')).toContain('@smoke');
    // The new config (Playwright loads the .ts before the .js) keeps the old one's testDir, where the spec is.
    expect(await read(project, 'playwright.config.ts')).toMatch(/\}, \{\n.*\n  testDir: '\.\/tests',\n\}\);\n$/);
    expect(forced.stdout).toContain('wrote playwright.config.ts (replaces playwright.config.js, which Playwright no longer loads');
    const listed = await runPlaywright(project, ['--list'], NO_VIBES_SERVERS);
    expect(listed.output, 'the new config finds the smoke spec').toContain('checkout.smoke.spec.ts');
    expect(await read(project, '.env.test.example')).toContain('VIBES_DATABASE_URL');
    expect(JSON.parse(await read(project, 'package.json')).scripts['test:e2e']).toBe('playwright test');
  } finally {
    await project.remove();
  }
});

test('bad input changes nothing: no package.json, broken package.json, a relative webhook path; --dry-run writes nothing', async () => {
  const empty = await tempProject();
  const broken = await tempProject({ 'package.json': '{ "name": ' });
  const fine = await tempProject({ 'package.json': JSON.stringify({ name: 'shop', scripts: { start: 'node .' } }) });
  try {
    const none = await init(empty);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no package.json in');
    expect(await exists(empty, 'playwright.config.ts')).toBe(false);

    const bad = await init(broken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not valid JSON');
    expect(await exists(broken, '.github')).toBe(false);

    const relative = await init(fine, ['--webhook-path', 'api/hook']);
    expect(relative.code).toBe(2);
    expect(relative.stderr).toContain('--webhook-path must start with /');

    const dry = await init(fine, ['--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would write playwright.config.ts');
    expect(dry.stdout).toContain("app:             npm run start → http://localhost:3000");
    for (const file of ['playwright.config.ts', 'e2e', '.github', '.env.test.example', '.gitignore']) expect(await exists(fine, file), file).toBe(false);
    expect(JSON.parse(await read(fine, 'package.json'))).toEqual({ name: 'shop', scripts: { start: 'node .' } });
  } finally {
    await Promise.all([empty.remove(), broken.remove(), fine.remove()]);
  }
});

/** The app folder's entries and its package.json's bytes: what a refused init must leave as they were. */
async function snapshot(project: TempProject): Promise<{ entries: string[]; packageJson: string }> {
  return { entries: (await readdir(project.dir)).sort(), packageJson: await read(project, 'package.json') };
}

// Valid JSON of the wrong shape: refused before anything is written, like invalid JSON.
const WRONG_SHAPES: { title: string; packageJson: string; message: string }[] = [
  { title: 'a string', packageJson: '"hello"', message: 'must hold a JSON object ({"name": …}); it holds a string.' },
  { title: 'a number', packageJson: '42', message: 'must hold a JSON object ({"name": …}); it holds a number.' },
  { title: 'an array', packageJson: '[]', message: 'must hold a JSON object ({"name": …}); it holds an array.' },
  { title: 'null', packageJson: 'null', message: 'must hold a JSON object ({"name": …}); it holds null.' },
  { title: 'scripts as a string', packageJson: '{"name":"x","scripts":"npm run build"}', message: '"scripts" must be an object of command strings ({"dev": "vite"}); it is a string.' },
  { title: 'scripts as an array', packageJson: '{"name":"x","scripts":["a","b"]}', message: '"scripts" must be an object of command strings ({"dev": "vite"}); it is an array.' },
  { title: 'a script that is not a string', packageJson: '{"name":"x","scripts":{"dev":5}}', message: '"scripts" must be an object of command strings ({"dev": "vite"}); "dev" is a number.' },
  { title: 'devDependencies as a string', packageJson: '{"name":"x","devDependencies":"x"}', message: '"devDependencies" must be an object of package names to versions ({"vite": "^6.0.0"}); it is a string.' },
  { title: 'dependencies as null', packageJson: '{"name":"x","dependencies":null}', message: '"dependencies" must be an object of package names to versions ({"vite": "^6.0.0"}); it is null.' },
  { title: 'a number for a name', packageJson: '{"name":5}', message: '"name" must be a string; it is a number.' },
  { title: 'packageManager as an object', packageJson: '{"name":"x","packageManager":{"name":"pnpm"}}', message: '"packageManager" must be a string such as "pnpm@9.12.0"; it is an object.' },
];

for (const { title, packageJson, message } of WRONG_SHAPES) {
  test(`refuses a package.json of the wrong shape and changes nothing: ${title}`, async () => {
    const project = await tempProject({ 'package.json': packageJson });
    try {
      const before = await snapshot(project);
      const result = await init(project);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain(`vibes: ${path.join(project.dir, 'package.json')}`);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('run vibes init again');
      expect(await snapshot(project)).toEqual(before);
      for (const file of ['playwright.config.ts', 'e2e', '.github']) expect(await exists(project, file), file).toBe(false);
    } finally {
      await project.remove();
    }
  });
}

test('refuses a package.json of the wrong shape and changes nothing: also with --dry-run and --force', async () => {
  const project = await tempProject({ 'package.json': '{"scripts":"npm run build"}' });
  try {
    const before = await snapshot(project);
    for (const flag of ['--dry-run', '--force']) {
      const result = await init(project, [flag]);
      expect(result.code, flag).toBe(2);
      expect(result.stderr, flag).toContain('"scripts" must be an object of command strings');
      expect(result.stdout, flag).toBe('');
    }
    expect(await snapshot(project)).toEqual(before);
  } finally {
    await project.remove();
  }
});

test('refuses a package.json of the wrong shape and changes nothing: but a workspace root\'s odd package.json is not the app\'s, and says nothing', async () => {
  // The root's package.json only lends its "packageManager" to a workspace app; one of another type is ignored, not a crash.
  const project = await tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'package.json': '{"private":true,"packageManager":5}',
    'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    'apps/web/package.json': JSON.stringify({ name: 'web', scripts: { dev: 'vite' } }),
  });
  try {
    const result = await runVibes(['init', '--dir', 'apps/web'], { cwd: project.dir, env: NESTED_RUN_ENV });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('package manager: pnpm (../../pnpm-lock.yaml)');
    expect(await read(project, 'package.json')).toBe('{"private":true,"packageManager":5}');
  } finally {
    await project.remove();
  }
});

test("a monorepo's web app whose dev script starts the API package: its webhook route, Stripe client and one-time Checkout are found there", async () => {
  const project = await tempProject({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'package.json': JSON.stringify({ name: 'spa', private: true, workspaces: ['apps/*'] }),
    'package-lock.json': '{}',
    'apps/web/package.json': JSON.stringify({ name: '@spa/web', scripts: { dev: 'concurrently -k "npm run dev -w @spa/api" "vite --port 5188"' }, devDependencies: { vite: '^7.0.0' } }),
    'apps/web/src/main.tsx': "fetch('/api/checkout', { method: 'POST' });\n",
    'apps/api/package.json': JSON.stringify({ name: '@spa/api', scripts: { dev: 'tsx watch src/server.ts' } }),
    'apps/api/src/server.ts': `app.post('/api/stripe/events', async (req) => stripe.webhooks.constructEvent(req.body, sig, secret));
app.post('/api/checkout', async () => stripe.checkout.sessions.create({ mode: 'payment', line_items: [] }));
`,
    'apps/api/src/stripe.ts': "export const stripe = new Stripe(key, process.env.STRIPE_EMULATOR_URL ? {} : {});\n",
  });
  try {
    const result = await runVibes(['init', '--dir', 'apps/web'], { cwd: project.dir, env: { ...NESTED_RUN_ENV, ...NO_BROWSER } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`webhook:         http://localhost:5188/api/stripe/events (${path.join('..', 'api', 'src', 'server.ts')})`);
    expect(result.stdout).toContain("checkout:        one-time purchases (mode: 'payment'): the race test injects one");
    // The client in the API package already follows the emulator: no step asks for it.
    expect(result.stdout).not.toContain('follow STRIPE_EMULATOR_URL');
    expect(await read(project, 'apps/web/e2e/checkout.smoke.spec.ts')).toContain("webhooks.inject(stripeEvents({ email: user.email, mode: 'payment' }).checkoutCompleted(), { deliver: false })");
    // No subscription to end: only customer.deleted follows the deletion.
    expect(await read(project, 'apps/web/e2e/checkout.smoke.spec.ts')).toContain("for (const type of ['customer.deleted'])");
    // A scoped name makes a database name Postgres takes unquoted.
    expect(await read(project, 'apps/web/.env.test.example')).toContain('postgres://postgres@127.0.0.1:5432/spa_web_test');
  } finally {
    await project.remove();
  }
});

test('the suite vibes init generates passes against a real app (the demo SaaS) @db @stack', async ({ databaseUrl }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  // Its dev script starts the demo SaaS. ("type": "module" because the package is linked here, not
  // installed: Playwright would compile the linked ESM package as CommonJS outside node_modules.)
  const project = await tempProject({
    'package.json': JSON.stringify({ name: 'demo-shop', type: 'module', scripts: { dev: `node ${VIBES_CLI} demo-app --port ${port}` }, dependencies: { express: '^5.0.0' } }, null, 2),
  });
  try {
    const result = await init(project, [
      '--app-url', `http://127.0.0.1:${port}`,
      '--entitlements-sql', 'select count(*) from demo.entitlements e join demo.users u on u.id = e.user_id where u.email = $1',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await read(project, 'playwright.config.ts')).toContain(`forwardTo: 'http://127.0.0.1:${port}/api/stripe/webhook'`);
    // What the next steps say: copy the example to .env.test and point it at a database.
    await project.write('.env.test', `${await read(project, '.env.test.example')}\nVIBES_DATABASE_URL=${databaseUrl}\n`);

    const run = await runPlaywright(project, ['--workers', '2', '--reporter', 'list', '--retries', '0']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › sign up, pay, Pro exactly once through Stripe's retries @smoke/);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › the first deliveries of one event, racing each other, grant once @smoke/);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › stale, wrong-secret and unsigned webhooks are refused @smoke/);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › a visitor signs up, pays and gets the paid plan @smoke @predeploy/);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › a declined card stays on Free @smoke/);
    expect(run.output).toMatch(/✓ .*\[chromium\] › e2e\/checkout\.smoke\.spec\.ts:\d+:\d+ › deleting the account deletes its Stripe customer @smoke/);
    expect(run.output).toMatch(/\b\d+ passed\b/);
    expect(run.output).not.toMatch(/\b\d+ (failed|flaky|skipped)\b/);

    // The tests that claim a race and a signature check catch those bugs, planted in the app.
    // (keep-customer, the deletion test's other catch, is the smoke suite's @meta test's: one run here.)
    const planted = await runPlaywright(project, ['--workers', '2', '--reporter', 'list', '--retries', '0', '--grep', 'racing each other|are refused|Stripe customer'], { DEMO_BUGS: 'race,no-signature-check,deleted-user-500' });
    expect(planted.code, planted.output).toBe(1);
    expect(planted.output).toMatch(/✘ .* › the first deliveries of one event, racing each other, grant once @smoke/);
    expect(planted.output).toMatch(/✘ .* › stale, wrong-secret and unsigned webhooks are refused @smoke/);
    expect(planted.output).toMatch(/a stale signature must be refused with a 4xx/);
    // The deletion's webhooks, answered 500 once the user is gone, delivered after it.
    expect(planted.output).toMatch(/✘ .* › deleting the account deletes its Stripe customer @smoke/);
    expect(planted.output).toMatch(/customer\.subscription\.deleted for a deleted user: Webhook processing failed/);

    // What predeploy.yml runs, against a deployment: an app of its own, whose Stripe (here an
    // emulator) sends its events to it directly, never to this machine's replay server.
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const deploymentPort = await freePort();
    const stripe = await startVibes(['stripe-emulator', '--port', '0', '--webhook-url', `http://127.0.0.1:${deploymentPort}/api/stripe/webhook`, '--webhook-secret', secret]);
    const deployment = await startVibes(['demo-app', '--port', String(deploymentPort), '--stripe-emulator-url', stripe.url, '--webhook-secret', secret, '--database-url', databaseUrl]);
    try {
      const workflow = await read(project, '.github/workflows/predeploy.yml');
      expect(workflow).toContain('vibes predeploy --base-url "$DEPLOYMENT_URL" --grep @predeploy');
      // With the job's environment: no database here, and no Stripe key of the deployment's.
      const check = await runVibes(['predeploy', '--base-url', deployment.url, '--grep', '@predeploy'], { cwd: project.dir, env: { ...NESTED_RUN_ENV, DATABASE_URL: '', VIBES_DATABASE_URL: '' } });
      expect(check.code, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toMatch(/tests: +1 passed, 0 failed/);
      // Nothing of this machine's starts: the deployment has its own Stripe and gets its own webhooks.
      expect(check.stdout + check.stderr).not.toMatch(/\[(replay server|Stripe emulator)\]/);
      expect(check.stdout).toContain("leaves the Stripe customers the deployment makes for its test users: this run has no Stripe of the deployment's");
      expect(existsSync(path.join(project.dir, 'playwright-report', 'index.html')), 'the HTML report the workflow uploads').toBe(true);
    } finally {
      await Promise.all([deployment.stop(), stripe.stop()]);
    }
  } finally {
    await project.remove();
  }
});
