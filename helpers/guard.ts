import { isLoopbackHost } from '../core/index.js';
import { describeSource, loadTestEnv, type EnvSource } from './env.js';

export interface GuardConfig {
  /** Hosts of your production app: a base URL on one of them is refused. */
  productionHosts?: string[];
  /** Database hosts allowed by exact name although they are neither local nor named as a test database. */
  allowDatabaseHosts?: string[];
}

export interface GuardInput {
  env?: NodeJS.ProcessEnv;
  sources?: Map<string, EnvSource>;
  config?: GuardConfig;
  /** Extra values the run will use that are not environment variables (config fields). */
  baseURL?: string;
  databaseUrls?: { name: string; url: string | undefined }[];
}

export interface Refusal {
  check: string;
  variable: string;
  source: string;
  why: string;
  allow: string;
}

export interface GuardCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** Variables whose value is a database the run writes to or deletes from. */
const DATABASE_VARIABLES = ['VIBES_DATABASE_URL', 'DATABASE_URL', 'VIBES_TEST_DATABASE_URL'];
const BASE_URL_VARIABLES = ['BASE_URL', 'PLAYWRIGHT_BASE_URL'];
const LIVE_KEY = /\b(sk|rk)_live_[0-9A-Za-z]+/;

export class GuardError extends Error {
  override name = 'GuardError';
  constructor(readonly refusals: Refusal[]) {
    super(formatRefusals(refusals));
  }
}

/**
 * Proves the run targets test systems before anything is written or deleted: no live Stripe key
 * anywhere the run can read, no NODE_ENV=production, databases that are local or named as test
 * databases (or allowed by exact host), and a base URL that is not a production host.
 */
export function checkTarget(input: GuardInput = {}): { checks: GuardCheck[]; refusals: Refusal[] } {
  const env = input.env ?? process.env;
  const sources = input.sources ?? (env === process.env ? loadTestEnv().sources : new Map<string, EnvSource>());
  const config = withEnvLists(input.config ?? {}, env);
  const sourceOf = (name: string) => (sources.has(name) ? describeSource(sources.get(name)) : 'the playwright-vibes config');
  const refusals: Refusal[] = [];
  const checks: GuardCheck[] = [];
  const record = (name: string, found: Refusal[], okDetail: string) => {
    refusals.push(...found);
    checks.push({ name, passed: found.length === 0, detail: found.length ? found.map((r) => `${r.variable}: ${r.why}`).join('; ') : okDetail });
  };

  record('no live Stripe key', Object.entries(env).flatMap(([name, value]) => {
    if (!value || !LIVE_KEY.test(value)) return [];
    const kind = LIVE_KEY.exec(value)![1] === 'rk' ? 'restricted' : 'secret';
    return [{
      check: 'no live Stripe key',
      variable: name,
      source: sourceOf(name),
      why: `it holds a live Stripe ${kind} key (${LIVE_KEY.exec(value)![1]}_live_…); tests create and delete customers and must only ever see test-mode keys`,
      allow: `use a test-mode key (sk_test_…/rk_test_…) in .env.test, and unset ${name} for test runs. Live keys are never allowed.`,
    }];
  }), 'every Stripe key the run can read is a test-mode key (or there is none)');

  record('not production', env.NODE_ENV === 'production' ? [{
    check: 'not production',
    variable: 'NODE_ENV',
    source: sourceOf('NODE_ENV'),
    why: 'it is "production"',
    allow: 'run tests with NODE_ENV=test (or unset it); there is no override for production.',
  }] : [], `NODE_ENV is ${env.NODE_ENV ? `"${env.NODE_ENV}"` : 'unset'}`);

  const databases = [
    ...DATABASE_VARIABLES.map((name) => ({ name, url: env[name] })),
    ...(input.databaseUrls ?? []),
  ].filter((d): d is { name: string; url: string } => !!d.url);
  record('test database', databases.flatMap(({ name, url }) => {
    const verdict = judgeDatabase(url, config.allowDatabaseHosts ?? []);
    if (verdict.ok) return [];
    return [{
      check: 'test database',
      variable: name,
      source: sourceOf(name),
      why: verdict.why,
      allow: `point ${name} at a local or test database; or, if ${verdict.host} really is a test server, allow it by exact name: ` +
        `guard: { allowDatabaseHosts: ['${verdict.host}'] } in defineVibesConfig, or VIBES_ALLOW_DATABASE_HOSTS=${verdict.host}.`,
    }];
  }), databases.length ? databases.map((d) => `${d.name} is a test database`).join(', ') : 'no database URL set (embedded Postgres)');

  const baseUrls = [
    ...BASE_URL_VARIABLES.map((name) => ({ name, url: env[name] })),
    { name: 'baseURL', url: input.baseURL },
  ].filter((b): b is { name: string; url: string } => !!b.url);
  const production = new Set((config.productionHosts ?? []).map((h) => h.toLowerCase()));
  record('not a production URL', baseUrls.flatMap(({ name, url }) => {
    const host = hostOf(url);
    if (!host || !production.has(host)) return [];
    return [{
      check: 'not a production URL',
      variable: name,
      source: sourceOf(name),
      why: `its host ${host} is listed as a production host`,
      allow: `point ${name} at a preview or local URL. If ${host} is no longer production, remove it from guard.productionHosts (or VIBES_PRODUCTION_HOSTS).`,
    }];
  }), baseUrls.length ? `${baseUrls.map((b) => hostOf(b.url)).join(', ')} not a production host` : 'no base URL set');

  return { checks, refusals };
}

/** Throws a GuardError naming every refused value; returns quietly when the target is a test target. */
export function assertSafeTarget(input: GuardInput = {}): void {
  const { refusals } = checkTarget(input);
  if (refusals.length > 0) throw new GuardError(refusals);
}

function judgeDatabase(url: string, allowed: string[]): { ok: true } | { ok: false; why: string; host: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, why: 'it is not a valid connection URL, so the guard cannot tell where it points', host: '<unparseable>' };
  }
  const host = decodeURIComponent(parsed.hostname).toLowerCase() || 'localhost';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.username || 'postgres';
  const socket = parsed.searchParams.get('host');
  if (isLoopbackHost(host) || (socket?.startsWith('/') ?? false)) return { ok: true };
  if (/(^|[^a-z])test/i.test(database)) return { ok: true };
  if (allowed.map((h) => h.toLowerCase()).includes(host)) return { ok: true };
  return { ok: false, host, why: `it points at database "${database}" on ${host}, which is neither local nor named as a test database` };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function withEnvLists(config: GuardConfig, env: NodeJS.ProcessEnv): GuardConfig {
  const list = (value: string | undefined) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);
  return {
    productionHosts: [...(config.productionHosts ?? []), ...list(env.VIBES_PRODUCTION_HOSTS)],
    allowDatabaseHosts: [...(config.allowDatabaseHosts ?? []), ...list(env.VIBES_ALLOW_DATABASE_HOSTS)],
  };
}

export function formatRefusals(refusals: Refusal[]): string {
  const lines = ['playwright-vibes refused to run: the target does not look like a test target. Nothing was written or deleted.'];
  for (const r of refusals) {
    lines.push('', `✗ ${r.check}: ${r.variable} — ${r.why}.`, `  where it came from: ${r.source}`, `  to fix or allow it: ${r.allow}`);
  }
  return lines.join('\n');
}
