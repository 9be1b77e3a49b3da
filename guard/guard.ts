import { fileURLToPath } from 'node:url';
import { parse as parseConnectionString } from 'pg-connection-string';
import { isLoopbackHost } from '../core/index.js';
import { appFileDatabaseUrls, appFileVariable, DEPLOYMENT_CHECK_ENV, describeSource, loadTestEnv, type AppEnvValue, type EnvSource } from './env.js';

export interface GuardConfig {
  /** Hosts of your production app: a base URL on one of them is refused. */
  productionHosts?: string[];
  /** Database hosts allowed by exact name although they are neither local nor named as a test database. */
  allowDatabaseHosts?: string[];
}

/** A URL under the name of the setting that gave it (`db.url`, `cleanup.appUser.url`), as a refusal shows it. */
export interface NamedUrl {
  name: string;
  url: string | undefined;
}

export interface GuardInput {
  env?: NodeJS.ProcessEnv;
  sources?: Map<string, EnvSource>;
  config?: GuardConfig;
  /** Extra values the run will use that are not environment variables (config fields). */
  baseURL?: string;
  databaseUrls?: NamedUrl[];
  /** Other URLs the run sends requests to (config fields such as cleanup.appUser.url): refused on a production host. */
  urls?: NamedUrl[];
  /** Variables the config adds to the app's environment (`app.env`): checked like the run's own, as `app.env.<NAME>`. */
  appEnv?: Record<string, string>;
  /**
   * The app's own env files (readAppEnvFiles), for an app the run starts: a DATABASE_URL there
   * that the run leaves unset is the database the app writes the test users to.
   */
  appEnvFiles?: AppEnvValue[];
}

/** A database URL the guard judges: the variable or setting that holds it, and the PG* variables its reader fills gaps from. */
interface DatabaseToJudge {
  name: string;
  url: string;
  pgEnv: NodeJS.ProcessEnv;
  pgPrefix: string;
  /** Where it came from and how to fix it, when not a variable of the run's or a setting. */
  source?: string;
  allow?: string;
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
/** What pg fills a connection's missing parts from. */
const PG_VARIABLES = ['PGHOST', 'PGDATABASE', 'PGUSER'] as const;
/** Not `\b`: a key glued on with an underscore (`x_sk_live_…`) is still a live key. */
const LIVE_KEY = /(?:^|[^0-9A-Za-z])(sk|rk)_live_[0-9A-Za-z]+/;
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

const UNPARSEABLE = '<unparseable>';
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOT_THE_USERS_FRAME = /node_modules|node:internal|\(node:/;

export class GuardError extends Error {
  declare readonly refusals: Refusal[];
  constructor(refusals: Refusal[]) {
    super(formatRefusals(refusals));
    // A verdict on the target, not a fault in code: printed as its message and the user's own
    // frames (their config, their test), without the refusals dumped again after it.
    Object.defineProperty(this, 'refusals', { value: refusals, enumerable: false });
    const own = (this.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line) && !NOT_THE_USERS_FRAME.test(line) && !line.includes(PACKAGE_ROOT));
    this.stack = [`${this.name}: ${this.message}`, ...own].join('\n');
  }
}
// On the prototype, not an own field, so that printing the error does not list it after the message.
GuardError.prototype.name = 'GuardError';

/**
 * Proves the run targets test systems before anything is written or deleted: no live Stripe key
 * anywhere the run can read, no NODE_ENV=production, databases that are local or named as test
 * databases (or allowed by exact host), and a base URL that is not a production host.
 */
export function checkTarget(input: GuardInput = {}): { checks: GuardCheck[]; refusals: Refusal[] } {
  const env = input.env ?? process.env;
  const sources = input.sources ?? (env === process.env ? loadTestEnv().sources : new Map<string, EnvSource>());
  const config = withEnvLists(input.config ?? {}, env);
  // A value named by a flag (`--database-url`) came from the command line; any other from the config.
  const sourceOf = (name: string) =>
    name === 'BASE_URL' && env[DEPLOYMENT_CHECK_ENV] ? 'the command line (vibes predeploy --base-url)'
      : sources.has(name) ? describeSource(sources.get(name)) : name.startsWith('--') ? 'the command line' : 'the playwright-vibes config';
  const refusals: Refusal[] = [];
  const checks: GuardCheck[] = [];
  const record = (name: string, found: Refusal[], okDetail: string) => {
    refusals.push(...found);
    checks.push({ name, passed: found.length === 0, detail: found.length ? found.map((r) => `${r.variable}: ${r.why}`).join('; ') : okDetail });
  };

  // app.env reaches the app on top of this environment: its values are checked like the run's own,
  // under their option path, and its database URLs with the PG* variables the app will see.
  const appEnv = Object.entries(input.appEnv ?? {}).map(([name, value]) => ({ name: `app.env.${name}`, value }));
  const appPgEnv = { ...env, ...input.appEnv };

  // The app's own env files too, whatever the run passes: a build bakes them in (Nuxt's
  // runtimeConfig), a NUXT_ or VITE_ name the run never sets reaches it, an override wins.
  const appFileValues = (input.appEnvFiles ?? []).map((found) => ({ name: appFileVariable(found), value: found.value, file: found.file }));
  record('no live Stripe key', [...Object.entries(env).map(([name, value]) => ({ name, value, file: undefined })), ...appEnv.map((v) => ({ ...v, file: undefined })), ...appFileValues].flatMap(({ name, value, file }) => {
    if (!value || !LIVE_KEY.test(value)) return [];
    const kind = LIVE_KEY.exec(value)![1] === 'rk' ? 'restricted' : 'secret';
    return [{
      check: 'no live Stripe key',
      variable: name,
      source: file ? `your app's own ${file}, which the app the run starts reads` : sourceOf(name),
      why: `it holds a live Stripe ${kind} key (${LIVE_KEY.exec(value)![1]}_live_…); tests create and delete customers and must only ever see test-mode keys`,
      allow: file
        ? `remove it from ${file} on machines that run tests: the run's test key does not reach a value the build bakes in, a name it does not set (NUXT_…), or a file loaded with override. Live keys are never allowed.`
        : `use a test-mode key (sk_test_…/rk_test_…) in .env.test, and unset ${name} for test runs. Live keys are never allowed.`,
    }];
  }), 'every Stripe key the run or the app can read is a test-mode key (or there is none)');

  const nodeEnvs = [{ name: 'NODE_ENV', value: env.NODE_ENV }, { name: 'app.env.NODE_ENV', value: input.appEnv?.NODE_ENV }];
  // Any case: frameworks differ in how they compare it, and "Production" means production.
  record('not production', nodeEnvs.filter(({ value }) => value?.toLowerCase() === 'production').map(({ name, value }) => ({
    check: 'not production',
    variable: name,
    source: sourceOf(name),
    why: `it is "${value}"`,
    allow: 'run tests with NODE_ENV=test (or unset it); there is no override for production.',
  })), `NODE_ENV is ${env.NODE_ENV ? `"${env.NODE_ENV}"` : 'unset'}`);

  // An app given PG* variables and no URL connects with them alone, as pg does with `new Pool()`.
  const appPg = PG_VARIABLES.filter((name) => input.appEnv?.[name]);
  // Only when no URL reaches the app, from app.env or inherited (DATABASE_URL, the usual one).
  const appPgOnly = appEnv.some(({ value }) => POSTGRES_URL.test(value)) || env.DATABASE_URL ? undefined : appPg[0];
  const fromAppFiles = input.appEnvFiles ? appFileDatabaseUrls(input.appEnvFiles, env, input.appEnv) : [];
  const givenToApp = (name: string): string | undefined => input.appEnv?.[name] ?? env[name];
  const candidates: (Omit<DatabaseToJudge, 'url'> & { url: string | undefined })[] = [
    ...DATABASE_VARIABLES.map((name) => ({ name, url: env[name], pgEnv: env, pgPrefix: '' })),
    ...fromAppFiles.map((found) => ({
      name: appFileVariable(found),
      url: found.value,
      pgEnv: env,
      pgPrefix: '',
      ...(found.loadedOver && givenToApp(found.name)
        ? {
            source: `your app's own ${found.file}, which ${found.loadedOver} loads with override, over the run's ${found.name}`,
            allow: `remove the override (${found.loadedOver}), so that the run's ${found.name} reaches the app, or point ${found.name} in ${found.file} at a local or test database`,
          }
        : {
            source: `your app's own ${found.file}, which it reads because the run sets no ${found.name}`,
            allow: `set ${found.name} in .env.test to a local or test database: the run passes it to the app, over its .env files`,
          }),
    })),
    ...(input.databaseUrls ?? []).map((d) => ({ ...d, pgEnv: env, pgPrefix: '' })),
    ...appEnv.filter(({ value }) => POSTGRES_URL.test(value)).map(({ name, value }) => ({ name, url: value, pgEnv: appPgEnv, pgPrefix: 'app.env.' })),
    // The app inherits the run's DATABASE_URL too, and reads it with app.env's PG* variables.
    ...(appPg.length ? DATABASE_VARIABLES.filter((name) => input.appEnv?.[name] === undefined).map((name) => ({ name, url: env[name], pgEnv: appPgEnv, pgPrefix: 'app.env.' })) : []),
    ...(appPgOnly ? [{ name: `app.env.${appPgOnly}`, url: 'postgres://', pgEnv: appPgEnv, pgPrefix: 'app.env.' }] : []),
  ];
  const databases = candidates.filter((d): d is DatabaseToJudge => !!d.url);
  const judged = new Set<string>();
  record('test database', databases.flatMap(({ name, url, pgEnv, pgPrefix, source, allow }) => {
    const verdict = judgeDatabase(url, config.allowDatabaseHosts ?? [], pgEnv);
    // One refusal a variable: the run's own reading of it comes first.
    if (verdict.ok || judged.has(name)) return [];
    judged.add(name);
    const orAllow = `or, if ${verdict.host} really is a test server, allow it by exact name: ` +
      `guard: { allowDatabaseHosts: ['${verdict.host}'] } in defineVibesConfig, or VIBES_ALLOW_DATABASE_HOSTS=${verdict.host}.`;
    if (url === 'postgres://') {
      const appPgNames = appPg.map((pg) => `app.env.${pg}`).join(' and ');
      return [{
        check: 'test database',
        variable: name,
        source: sourceOf(name),
        why: `with no URL, the app connects with ${appPgNames} alone, to database "${verdict.database}" on ${verdict.host}, which is neither local nor named as a test database`,
        allow: `point ${appPgNames} at a local or test database; ${orAllow}`,
      }];
    }
    // A part the URL leaves out comes from a PG* variable: the refusal names that one too.
    const filled = verdict.filledBy.filter((pg) => `${pgPrefix}${pg}` !== name).map((pg) => {
      const variable = pgPrefix && input.appEnv?.[pg] ? `${pgPrefix}${pg}` : pg;
      return { variable, source: sourceOf(variable) };
    });
    if (source && allow) return [{ check: 'test database', variable: name, source, why: verdict.why, allow: `${allow}; ${orAllow}` }];
    return [{
      check: 'test database',
      variable: name,
      source: [sourceOf(name), ...filled.filter((f) => f.source !== sourceOf(name)).map((f) => `${f.variable} from ${f.source}`)].join('; '),
      why: verdict.why + (filled.length ? ` (${filled.map((f) => f.variable).join(' and ')} filled in what the URL leaves out)` : ''),
      // No host to allow in a URL that does not parse: only its correction helps.
      allow: verdict.host === UNPARSEABLE
        ? `give ${name} as postgres://user:password@host:port/database, pointing at a local or test database.`
        : `point ${name} at a local or test database${filled.length ? ` (or unset ${filled.map((f) => f.variable).join(' and ')})` : ''}; ${orAllow}`,
    }];
  }), databases.length ? [...new Set(databases.map((d) => `${d.name} is a test database`))].join(', ') : 'no database URL set (embedded Postgres)');

  // Loaded with override, a test database of the app's own still is not the run's: the app writes
  // one and the probe, `db` and cleanup read the other, so every "granted nothing" passes.
  const overridden = fromAppFiles.filter((found) => found.loadedOver && givenToApp(found.name) && givenToApp(found.name) !== found.value
    && judgeDatabase(found.value, config.allowDatabaseHosts ?? [], env).ok);
  if (overridden.length) record('one database', overridden.map((found) => ({
    check: 'one database',
    variable: appFileVariable(found),
    source: `your app's own ${found.file}, which ${found.loadedOver} loads with override, over the run's ${found.name}`,
    why: `the app would use ${describeDatabase(found.value, env)}, and the run's checks (entitlements, db, cleanup) ${describeDatabase(givenToApp(found.name)!, env)}: ` +
      'a grant or a user would be looked for where the app never wrote it, and every "granted nothing" would pass',
    allow: `remove the override (${found.loadedOver}), so that the run's ${found.name} reaches the app, or give ${found.name} the same value in both`,
  })), 'the app and the run use one database');

  // A URL twice (the config's baseURL is BASE_URL when that is set) is one refusal, named by its
  // most telling source: a flag or option path first, then the variable, then the config's baseURL.
  const sameUrl = (a: string, b: string) => (URL.canParse(a) && URL.canParse(b) ? new URL(a).href === new URL(b).href : a === b);
  const baseUrls = [
    ...(input.urls ?? []),
    ...BASE_URL_VARIABLES.map((name) => ({ name, url: env[name] })),
    { name: 'baseURL', url: input.baseURL },
  ].filter((b, i, all): b is { name: string; url: string } => !!b.url && all.findIndex((other) => !!other.url && sameUrl(other.url, b.url!)) === i);
  const production = new Set((config.productionHosts ?? []).map(normaliseHost));
  // Where the list that names the host came from: the config, or VIBES_PRODUCTION_HOSTS and its source.
  const listedIn = (host: string) =>
    (input.config?.productionHosts ?? []).some((h) => normaliseHost(h) === host) ? 'guard.productionHosts' : `VIBES_PRODUCTION_HOSTS, from ${sourceOf('VIBES_PRODUCTION_HOSTS')}`;
  record('not a production URL', baseUrls.flatMap(({ name, url }) => {
    const host = hostOf(url);
    if (!host || !production.has(host)) return [];
    return [{
      check: 'not a production URL',
      variable: name,
      source: sourceOf(name),
      why: `its host ${host} is listed as a production host (in ${listedIn(host)})`,
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

/**
 * Judges the database pg will connect to, which is not always what the URL seems to say: pg parses
 * it with pg-connection-string (`?host=` and `?user=` win over the URL's own parts), then fills what
 * is left empty from PGHOST, PGUSER and PGDATABASE of `env`, then from its defaults (host localhost,
 * user USER, database the user's name). `env` is the environment of the process that connects.
 */
function judgeDatabase(url: string, allowed: string[], env: NodeJS.ProcessEnv): { ok: true } | { ok: false; why: string; host: string; database: string; filledBy: string[] } {
  const parsed = parseConnection(url);
  if (!parsed) return { ok: false, why: 'it is not a valid connection URL, so the guard cannot tell where it points', host: UNPARSEABLE, database: '', filledBy: [] };
  const { host, database } = connectionTarget(parsed, env);
  // A host starting with / is a Unix socket directory: a server on this machine.
  if (host.startsWith('/') || isLoopbackHost(host)) return { ok: true };
  if (/(^|[^a-z])test/i.test(database)) return { ok: true };
  if (allowed.map(normaliseHost).includes(host)) return { ok: true };
  const filledBy = [
    ...(!parsed.host && env.PGHOST ? ['PGHOST'] : []),
    ...(!parsed.database && env.PGDATABASE ? ['PGDATABASE'] : []),
    ...(!parsed.database && !env.PGDATABASE && !parsed.user && env.PGUSER ? ['PGUSER'] : []),
  ];
  return { ok: false, host, database, filledBy, why: `it points at database "${database}" on ${host}, which is neither local nor named as a test database` };
}

/** Where pg connects for a parsed URL: what it leaves empty from PGHOST, PGDATABASE and PGUSER, then pg's defaults. */
function connectionTarget(parsed: NonNullable<ReturnType<typeof parseConnection>>, env: NodeJS.ProcessEnv): { host: string; database: string } {
  const user = parsed.user || env.PGUSER || (process.platform === 'win32' ? env.USERNAME : env.USER);
  return { host: normaliseHost(parsed.host || env.PGHOST || 'localhost'), database: parsed.database || env.PGDATABASE || user || '' };
}

/** `database "shop_dev" on localhost`, as pg would connect; no credentials. */
function describeDatabase(url: string, env: NodeJS.ProcessEnv): string {
  const parsed = parseConnection(url);
  if (!parsed) return 'a database URL that does not parse';
  const { host, database } = connectionTarget(parsed, env);
  return `database "${database}" on ${host}`;
}

function parseConnection(url: string): ReturnType<typeof parseConnectionString> | undefined {
  // Without a scheme pg reads the string as a path under a placeholder host ("base"): a mistake, not a target.
  if (!/^([a-z][a-z\d+.-]*:|\/)/i.test(url)) return undefined;
  try {
    return parseConnectionString(url);
  } catch {
    return undefined; // a malformed % escape (URIError), an sslrootcert file that cannot be read, …
  }
}

function hostOf(url: string): string | undefined {
  try {
    return normaliseHost(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

/** Hosts compare without case and without the trailing dot of a fully qualified name (`app.example.com.`). */
function normaliseHost(host: string): string {
  return host.toLowerCase().replace(/\.+$/, '');
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
