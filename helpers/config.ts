import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EMULATOR_SECRET_KEY, randomWebhookSecret } from '../core/index.js';
import { defineConfig, devices, type PlaywrightTestConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './browser.js';
import { appFileDatabaseUrls, assertSafeTarget, loadTestEnv, readAppEnvFiles } from '../guard/index.js';
import { appFileDatabaseNotice } from '../app-database/index.js';
import { configuredTargets } from './targets.js';
import { portOf, reservePorts, somethingListensAt } from './ports.js';
import { portOwner } from './port-owner.js';
import { DEFAULT_DATA_DIR } from '../postgres/index.js';
import { currentRunId } from './run.js';
import { stripeModeOf } from '../cleanup/index.js';
import { unusedOptions } from './unused-options.js';
import { DEPLOYMENT_CHECK_ENV, DEPLOYMENT_KEEPS_CUSTOMERS, deploymentKeepsUsersNotice } from './deployment-check.js';
import type { AppServer, VibesEnvironment, VibesOptions } from './options.js';
import type { VibesTestOptions, VibesWorkerOptions } from './fixtures.js';

const NO_FORWARD_TO =
  "webhooks.forwardTo is not set, so the replay server stores Stripe's events and forwards them nowhere: your app gets no webhooks. " +
  "Set it to your app's webhook route, e.g. webhooks: { forwardTo: 'http://localhost:3000/api/stripe/webhook' }.";

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const SETUP_DIR = fileURLToPath(new URL('./setup/', import.meta.url));
const VIBES_REPORTER = fileURLToPath(new URL('./reporter.js', import.meta.url));
const DEMO_WEBHOOK_PATH = '/api/stripe/webhook';

type VibesConfig = PlaywrightTestConfig<VibesTestOptions, VibesWorkerOptions>;

/**
 * A Playwright config for vibes testing: the replay server (and, when asked, the Stripe
 * emulator and the app) as web servers, a browser found on this machine, CI-grade reporters,
 * and a setup project that runs the safety check first. Later arguments are merged over the
 * result with Playwright's own `defineConfig`, so anything Playwright accepts can be overridden.
 */
export function defineVibesConfig(options: VibesOptions = {}, ...overrides: VibesConfig[]): VibesConfig {
  // Beside the config, where Playwright starts the app too: `-c apps/web/playwright.config.ts`
  // from a monorepo's root reads apps/web/.env.test.
  const configDir = configDirectory();
  loadTestEnv(configDir);
  const env = process.env;
  const ci = !!env.CI;
  const runId = currentRunId(env);
  const stripeMode = options.stripe?.mode ?? stripeModeOf(env) ?? 'emulator';
  const ports = reservePorts('VIBES_PORTS', ['replay', 'emulator', 'app']);
  const replayPort = options.webhooks?.port ?? ports.replay!;
  // A replay server or an app that already runs (docker compose, a preview deployment) is used as
  // it is: VIBES_REPLAY_URL and BASE_URL name them, and no web server is started in their place.
  // Without a trailing slash: URLs are built on it (`${url}/webhooks/stripe`), and the replay server has no `//webhooks` route.
  // An empty variable (`VIBES_REPLAY_URL=` in .env.test) is an unset one, here and below.
  const externalReplayUrl = (options.webhooks?.replayServerUrl || env.VIBES_REPLAY_URL)?.replace(/\/+$/, '') || undefined;
  // A pre-deploy check tests a deployment that has its own Stripe and receives its own webhooks: a
  // replay server or an emulator started here would serve nothing (and the replay server would
  // need a Postgres the check's CI job may not have).
  const deploymentCheck = !!env[DEPLOYMENT_CHECK_ENV];
  const replayServerUrl = externalReplayUrl ?? (deploymentCheck ? undefined : `http://127.0.0.1:${replayPort}`);
  const appRunsElsewhere = !!env.BASE_URL;
  const externalEmulatorUrl = stripeMode === 'emulator' ? env.STRIPE_EMULATOR_URL || undefined : undefined;
  const emulatorUrl = stripeMode === 'emulator' ? externalEmulatorUrl ?? (deploymentCheck ? undefined : `http://127.0.0.1:${ports.emulator}`) : undefined;
  const demo = options.app === 'demo';
  const userApp = options.app === 'demo' ? undefined : options.app;
  const appUrl = demo ? (env.BASE_URL || `http://127.0.0.1:${ports.app}`) : userApp?.url;
  // BASE_URL wins: it names an app that runs elsewhere (a preview under `vibes predeploy`), and
  // then no app is started here, so a configured local baseURL would test whatever listens there.
  const baseURL = env.BASE_URL || options.baseURL || appUrl;
  const forwardTo = options.webhooks?.forwardTo ?? (demo ? `${appUrl}${DEMO_WEBHOOK_PATH}` : undefined);
  // An app started here reads its own .env files for what the run leaves unset, its database above all.
  const startsUserApp = !!userApp && !appRunsElsewhere;
  // Playwright starts it in the config's folder, whatever folder the run was started from.
  const appEnvFiles = startsUserApp ? readAppEnvFiles(path.resolve(configDir, userApp.cwd ?? '.'), userApp.command) : undefined;
  // Said once, by the runner: workers load this config too.
  if (!env.TEST_WORKER_INDEX) {
    for (const unused of unusedOptions(options, { externalReplayUrl, externalEmulatorUrl, stripeMode })) console.warn(`vibes: ${unused}`);
    const keepsUsers = deploymentKeepsUsersNotice(options.cleanup?.appUser, env);
    if (keepsUsers) console.log(`vibes: ${keepsUsers}`);
    if (deploymentCheck && stripeMode === 'emulator' && !emulatorUrl) console.log(`vibes: ${DEPLOYMENT_KEEPS_CUSTOMERS}`);
    // The replay server this run starts would store Stripe's events and pass them to no one: the
    // app would grant nothing, and the tests would say so only at their first grant assertion.
    if (!forwardTo && !externalReplayUrl && !deploymentCheck) console.warn(`vibes: ${NO_FORWARD_TO}`);
  }

  if (options.database?.url) env.VIBES_DATABASE_URL = options.database.url;
  // Web servers start in the config's folder, workers in the invocation's: one absolute path for both.
  env.VIBES_DATA_DIR ||= path.resolve(DEFAULT_DATA_DIR);
  // Nothing starts (no web server, no migration) before the target is proven to be a test target.
  assertSafeTarget({
    config: options.guard,
    baseURL,
    ...configuredTargets(options, baseURL),
    // app.env goes to the app's command as it is: a live key or a production database there is refused too.
    appEnv: userApp?.env,
    appEnvFiles,
  });
  if (appEnvFiles && !env.TEST_WORKER_INDEX) {
    // What the app reads from its own files though the run sets none; one it loads over the run's
    // passed the guard only by naming the run's database.
    for (const found of appFileDatabaseUrls(appEnvFiles, env, userApp?.env).filter((f) => !f.loadedOver || !(userApp?.env?.[f.name] ?? env[f.name]))) {
      console.warn(`vibes: ${appFileDatabaseNotice(found)}`);
    }
  }

  // One secret signs what the replay server forwards and verifies what the app receives.
  // With `stripe listen`, it is the secret the Stripe CLI prints; otherwise one per run.
  const ownSecret = !!env.STRIPE_WEBHOOK_SECRET;
  env.STRIPE_WEBHOOK_SECRET ||= randomWebhookSecret();

  // The servers guard their own database (they write to it) and know only the environment: the
  // config's allowed database hosts go with them.
  const allowedHosts = [env.VIBES_ALLOW_DATABASE_HOSTS, ...(options.guard?.allowDatabaseHosts ?? [])].filter(Boolean).join(',');
  const guardEnv: Record<string, string> = allowedHosts ? { VIBES_ALLOW_DATABASE_HOSTS: allowedHosts } : {};

  const environment: VibesEnvironment = { runId, replayServerUrl, stripeMode, emulatorUrl };
  const webServer: NonNullable<PlaywrightTestConfig['webServer']> = [];
  if (!externalReplayUrl && replayServerUrl) {
    const recorded = recordedRun(options.webhooks?.import, configDir);
    // A fixed port (for `stripe listen`) that something holds: Playwright would stop on "already used … set
    // reuseExistingServer", which names no replay server and no way to use the one there.
    if (options.webhooks?.port !== undefined && !env.TEST_WORKER_INDEX && somethingListensAt(replayServerUrl)) {
      const { which, stop } = occupant(replayServerUrl);
      console.warn(`vibes: something already answers at ${replayServerUrl}${which}, the webhooks.port this run starts its replay server on: ` +
        `a replay server you started yourself, or one a killed run left? ${stop[0]!.toUpperCase()}${stop.slice(1)}, or, if it is a replay server, use it: VIBES_REPLAY_URL=${replayServerUrl}.`);
    }
    webServer.push(vibesServer('replay server', replayServerUrl, ['replay-server', '--port', String(replayPort),
      ...(forwardTo ? ['--forward-to', forwardTo] : []), ...(recorded ? ['--import', recorded] : [])], guardEnv));
  }
  if (stripeMode === 'emulator' && !externalEmulatorUrl && emulatorUrl) {
    webServer.push(vibesServer('Stripe emulator', emulatorUrl, ['stripe-emulator', '--port', String(ports.emulator),
      '--webhook-url', `${replayServerUrl}/webhooks/stripe`,
      ...(options.stripe?.rateLimit ? ['--rate-limit', String(options.stripe.rateLimit)] : [])]));
  }
  // With the emulator, the app also gets a test key when none is set: an app that refuses to start
  // without one starts, and a live key in its own .env (which env vars override) stays unused.
  const appEnv = {
    STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET,
    ...(emulatorUrl ? { STRIPE_EMULATOR_URL: emulatorUrl, STRIPE_SECRET_KEY: env.STRIPE_SECRET_KEY || EMULATOR_SECRET_KEY } : {}),
  };
  if (appRunsElsewhere) {
    // nothing to start: the browser goes to BASE_URL
  } else if (demo) {
    webServer.push(vibesServer('demo app', appUrl!, ['demo-app', '--port', String(ports.app)], { ...appEnv, ...guardEnv }));
  } else if (userApp) {
    const reusable = !ci && ownSecret && stripeMode === 'test-mode';
    // Playwright would stop on it with "… is already used … set reuseExistingServer:true", the wrong fix here.
    const occupied = !env.TEST_WORKER_INDEX && !(userApp.reuseExistingServer ?? reusable) && somethingListensAt(userApp.url);
    if (occupied) {
      const { which, stop } = occupant(userApp.url);
      console.warn(`vibes: something already answers at ${userApp.url}${which}: your dev server, or an app a killed run left running? ` +
        `This run starts its own app, which knows the run's Stripe emulator and webhook secret: ${stop}. ` +
        "Playwright's own hint below, reuseExistingServer, would test that app instead, without them.");
    }
    webServer.push(appServer(userApp, appEnv, reusable, occupied));
  }

  const base: VibesConfig = {
    testDir: './e2e',
    fullyParallel: true,
    forbidOnly: ci,
    retries: ci ? 1 : 0,
    failOnFlakyTests: ci,
    reporter: ci
      ? [['list'], ['html', { open: 'never' }], ['junit', { outputFile: 'test-results/junit.xml' }], ['blob'], [VIBES_REPORTER]]
      : [['list'], [VIBES_REPORTER]],
    use: {
      baseURL,
      ...appHeadersFromEnv(env),
      trace: 'on-first-retry',
      vibes: environment,
      ...(options.flows ? { flowsConfig: options.flows } : {}),
      ...(options.entitlements ? { entitlementsConfig: options.entitlements } : {}),
      ...(options.user ? { userOptions: options.user } : {}),
      ...(options.guard ? { guardConfig: options.guard } : {}),
      ...(options.cleanup ? { cleanupConfig: options.cleanup } : {}),
      ...(options.db ? { dbConfig: options.db } : {}),
      ...(options.fuzz ? { fuzzConfig: options.fuzz } : {}),
    },
    webServer,
    projects: [
      { name: 'vibes-setup', testDir: SETUP_DIR, testMatch: /vibes\.setup\.js$/, teardown: 'vibes-teardown' },
      { name: 'vibes-teardown', testDir: SETUP_DIR, testMatch: /vibes\.teardown\.js$/ },
      {
        name: 'chromium',
        use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions() },
        dependencies: ['vibes-setup'],
      },
    ],
  };
  return defineConfig(base, ...overrides);
}

/**
 * This package's own code, as a stack names it: its built `dist/helpers/` or, once Playwright's
 * source-map support has rewritten the frames, the `helpers/*.ts` the package ships.
 */
const PACKAGE_HELPERS = (() => {
  const helpers = path.dirname(fileURLToPath(import.meta.url));
  const built = path.basename(path.dirname(helpers)) === 'dist';
  return built ? [helpers, path.join(path.dirname(path.dirname(helpers)), 'helpers')] : [helpers];
})();

/**
 * The folder of the file that called defineVibesConfig (the config), which Playwright starts web
 * servers in; the current folder when the stack does not say.
 */
function configDirectory(): string {
  for (const frame of (new Error().stack ?? '').split('\n').slice(1)) {
    const location = /\(?((?:file:\/\/)?\/[^()]*?):\d+:\d+\)?$/.exec(frame.trim())?.[1];
    if (!location) continue;
    const file = location.startsWith('file://') ? fileURLToPath(location) : location;
    if (!PACKAGE_HELPERS.includes(path.dirname(file))) return path.dirname(file);
  }
  return process.cwd();
}

/** Who holds a URL's port, as words for a warning: " (pid 123: node …)" and how to stop it. */
function occupant(url: string): { which: string; stop: string } {
  const port = portOf(url);
  const owner = portOwner(port);
  const which = owner ? ` (pid ${owner.pid}: ${owner.command.length > 120 ? `${owner.command.slice(0, 120)}…` : owner.command})` : '';
  const stop = owner ? `stop that one first (kill ${owner.pid})` : `stop that one first (\`lsof -i :${port}\` names it)`;
  return { which, stop };
}

/** The absolute path of `webhooks.import`; a file that is not there fails the config, not the replay server's start. */
function recordedRun(file: string | undefined, configDir: string): string | undefined {
  if (!file) return undefined;
  const absolute = path.resolve(configDir, file);
  if (!existsSync(absolute)) {
    throw new Error(`webhooks.import: ${absolute} does not exist. Record a run with \`npx vibes replay-server export --out ${file} --run <run id> --teardown false\` (see the README's "Record a run once"), or remove the option.`);
  }
  return absolute;
}

function vibesServer(name: string, url: string, args: string[], env: Record<string, string> = {}) {
  return {
    name,
    command: [process.execPath, CLI, ...args].map(shellQuote).join(' '),
    url: `${url}${args[0] === 'stripe-emulator' ? '/_vibes/state' : '/healthz'}`,
    // Each prints this once it serves. Playwright polls the URL at 100, 250, 500 ms and then every
    // second, so the line saves up to a second a server, and the servers start one after another.
    // (Playwright before 1.57 ignores `wait` and polls.)
    wait: { stdout: /^listening on http/m },
    env: { ...stringEnv(process.env), ...env },
    reuseExistingServer: false,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
    timeout: 60_000,
  };
}

/**
 * The app as a Playwright web server. On a port something already holds, Playwright is given the
 * port instead of the URL: it then stops at once on "already used", where its check of the URL
 * waits without end on a server that accepts connections and never answers (a hung dev server).
 */
function appServer(app: AppServer, env: Record<string, string>, reusable: boolean, occupied = false) {
  return {
    name: 'app',
    command: app.command,
    ...(occupied ? { port: portOf(app.url) } : { url: app.url }),
    cwd: app.cwd,
    env: { ...stringEnv(process.env), ...env, ...app.env },
    reuseExistingServer: app.reuseExistingServer ?? reusable,
    timeout: app.timeout ?? 60_000,
    gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
    ...(app.stdout ? { stdout: app.stdout } : {}),
  };
}

/**
 * Headers for the app's own requests, e.g. a preview deployment's protection bypass
 * (`vibes predeploy --vercel-bypass-secret` / `--header` set this): JSON of name to value.
 * They go to the base URL's origin only, never to Stripe's pages.
 */
function appHeadersFromEnv(env: NodeJS.ProcessEnv): { appHeaders?: Record<string, string> } {
  const raw = env.PLAYWRIGHT_VIBES_EXTRA_HEADERS;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('PLAYWRIGHT_VIBES_EXTRA_HEADERS must be a JSON object of header names to values, e.g. {"x-vercel-protection-bypass":"…"}.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error('PLAYWRIGHT_VIBES_EXTRA_HEADERS must be a JSON object whose values are strings.');
  }
  return { appHeaders: parsed as Record<string, string> };
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
