import { existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import pg from 'pg';
import { plural } from '../../core/index.js';
import { appFileDatabaseUrls, appFileVariable, checkTarget, formatRefusals, loadTestEnv, readAppEnvFiles, TEST_ENV_FILES } from '../../guard/index.js';
import { findChromium } from '../../helpers/index.js';
import { appFileDatabaseNotice } from '../../app-database/index.js';
import { stripeClientFor, stripeModeOf } from '../../cleanup/index.js';
import { databaseUrlFromEnv, findRunningEmbeddedPostgres, redactUrl } from '../../postgres/index.js';
import { PLAYWRIGHT_CONFIG_NAMES, resolveConfig } from '../suite/run.js';

interface Line {
  /** 'warn': it runs, but perhaps not as meant (printed with !, not counted as failed). */
  ok: boolean | 'skip' | 'warn';
  name: string;
  detail: string;
}

/** `vibes doctor`: one pass/fail line per thing a run needs; exit 1 when any fails. */
export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check that this machine and configuration can run the suite safely')
    .option('--replay-url <url>', 'a running replay server to check (default: VIBES_REPLAY_URL)')
    .option('--config <file>', "the Playwright config whose folder's .env.test and app env files are read (default: the current folder's)")
    .action(async (flags: { replayUrl?: string; config?: string }) => {
      const dir = flags.config ? path.dirname(resolveConfig(process.cwd(), flags.config)) : process.cwd();
      loadTestEnv(dir);
      const lines: Line[] = [configLine(dir, !!flags.config)];
      const { checks, refusals } = checkTarget();
      for (const c of checks) lines.push({ ok: c.passed, name: `guard: ${c.name}`, detail: c.detail });
      // Never connected to: what the guard refused is not this run's to touch, not even to see if it answers.
      const refusedUrls = new Set(refusals.map((r) => process.env[r.variable]).filter((value): value is string => !!value));
      lines.push(...appFileDatabaseLines(dir));
      lines.push(browserLine(), ...(await databaseLines(refusedUrls)), await replayServerLine(flags.replayUrl ?? process.env.VIBES_REPLAY_URL), await stripeLine());
      for (const l of lines) console.log(`${l.ok === 'skip' ? '-' : l.ok === 'warn' ? '!' : l.ok ? '✓' : '✗'} ${l.name}: ${l.detail}`);
      if (refusals.length > 0) console.log(`\n${formatRefusals(refusals)}\n`);
      const failed = lines.filter((l) => l.ok === false).length;
      console.log(failed === 0 ? 'vibes doctor: all checks passed' : `vibes doctor: ${plural(failed, 'check')} failed`);
      if (failed > 0) process.exitCode = 1;
    });
}

/**
 * What the app's own .env files would give an app the config starts (doctor does not know whether
 * it starts one): a warning either way, with the guard's verdict, never a failed check.
 */
function appFileDatabaseLines(dir: string): Line[] {
  if (process.env.BASE_URL) return [];
  // With the files the "dev" script loads, the command `vibes init` gives a config by default.
  const appEnvFiles = readAppEnvFiles(dir, 'npm run dev');
  return appFileDatabaseUrls(appEnvFiles).map((found) => {
    // Judged with the run's environment, as the run judges it: a file the app loads with override is
    // refused for that, not for a DATABASE_URL missing from .env.test. The run's own refusals are listed above.
    const refusal = checkTarget({ appEnvFiles: [found] }).refusals.find((r) => r.variable === appFileVariable(found));
    const name = `app database (${appFileVariable(found)})`;
    return refusal
      ? { ok: 'warn', name, detail: `a run whose config starts your app refuses it: ${refusal.why}; ${refusal.allow}` }
      : { ok: 'warn', name, detail: appFileDatabaseNotice(found) };
  });
}

/**
 * Which folder's files were read. From a monorepo's root with the config in apps/web, doctor
 * would otherwise pass on settings the run never uses.
 */
function configLine(dir: string, given: boolean): Line {
  const found = PLAYWRIGHT_CONFIG_NAMES.find((name) => existsSync(path.join(dir, name)));
  if (!found && !given) {
    return { ok: 'warn', name: 'config folder', detail: `no Playwright config in ${dir}, whose .env.test was read: run vibes doctor in your config's folder, or pass --config <file>` };
  }
  const read = TEST_ENV_FILES.filter((file) => existsSync(path.join(dir, file)));
  if (read.length) return { ok: true, name: 'config folder', detail: `${read.join(' and ')} read from ${dir}` };
  // Right after `vibes init` only the example is there: every setting then comes from the shell alone.
  const example = existsSync(path.join(dir, '.env.test.example')) ? ': copy .env.test.example to .env.test and fill it in' : '';
  return { ok: 'warn', name: 'config folder', detail: `no .env.test in ${dir}, so the run's settings come from the environment alone${example}` };
}

function browserLine(): Line {
  const choice = findChromium();
  if (choice.kind === 'missing') return { ok: false, name: 'browser', detail: choice.message };
  // The source is worth saying when it is a variable (VIBES_CHROMIUM), not when it is the path again.
  const what = choice.kind === 'playwright' ? "Playwright's Chromium" : choice.source === choice.executablePath ? 'system Chromium' : `system Chromium (${choice.source})`;
  return { ok: true, name: 'browser', detail: `${what} at ${choice.executablePath}` };
}

/** The run's database (replay store, ledger), and the app's when DATABASE_URL names another. */
async function databaseLines(refusedUrls: Set<string>): Promise<Line[]> {
  const url = databaseUrlFromEnv() ?? (await findRunningEmbeddedPostgres())?.url;
  const appUrl = process.env.DATABASE_URL;
  const lines = [url ? await reachable('database', url, refusedUrls) : { ok: true, name: 'database', detail: 'no database URL: an embedded Postgres starts with the run (.vibes/postgres)' }];
  if (appUrl && appUrl !== url) lines.push(await reachable('app database (DATABASE_URL)', appUrl, refusedUrls));
  return lines;
}

async function reachable(name: string, url: string, refusedUrls: Set<string>): Promise<Line> {
  if (refusedUrls.has(url)) return { ok: 'skip', name, detail: `${redactUrl(url)}: not connected to, the guard refused it (see above)` };
  let client: pg.Client | undefined;
  try {
    // Inside the try: pg parses the URL here, and throws on one it cannot read.
    client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await client.connect();
    await client.query('select 1');
    return { ok: true, name, detail: `reachable at ${redactUrl(url)}` };
  } catch (error) {
    return { ok: false, name, detail: `${redactUrl(url)} is not reachable: ${(error as Error).message}` };
  } finally {
    await client?.end().catch(() => {});
  }
}

async function replayServerLine(url: string | undefined): Promise<Line> {
  if (!url) return { ok: 'skip', name: 'replay server', detail: 'none running to check; `playwright test` starts one (pass --replay-url to check yours)' };
  try {
    const response = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(3000) });
    return response.ok ? { ok: true, name: 'replay server', detail: `answers at ${url}` } : { ok: false, name: 'replay server', detail: `${url}/healthz answered ${response.status}` };
  } catch (error) {
    return { ok: false, name: 'replay server', detail: `${url} does not answer: ${(error as Error).message}` };
  }
}

async function stripeLine(): Promise<Line> {
  const emulatorUrl = process.env.STRIPE_EMULATOR_URL;
  const key = process.env.STRIPE_SECRET_KEY;
  const mode = stripeModeOf();
  if (!mode) return { ok: true, name: 'stripe', detail: 'emulator mode: no key needed; `playwright test` starts the emulator' };
  if (mode === 'test-mode' && !/^(sk|rk)_test_/.test(key ?? '')) {
    return { ok: false, name: 'stripe', detail: 'STRIPE_SECRET_KEY is not a test-mode key (sk_test_… or rk_test_…)' };
  }
  try {
    const stripe = stripeClientFor({ stripeMode: mode, emulatorUrl });
    await stripe.customers.list({ limit: 1 }, { timeout: 5000 });
    return { ok: true, name: 'stripe', detail: mode === 'emulator' ? `emulator answers at ${emulatorUrl}` : 'test mode: the key works' };
  } catch (error) {
    return { ok: false, name: 'stripe', detail: `${mode === 'emulator' ? emulatorUrl : 'Stripe test mode'} refused a request: ${(error as Error).message}` };
  }
}
