import { databaseUrlFromEnv, findRunningEmbeddedPostgres, redactUrl } from '../postgres/index.js';
import { AppDatabase, type DbConfig, type ResolvedDatabase } from './db.js';
import type { EntitlementsConfig } from './entitlements.js';
import { endpointUrl } from './endpoint-url.js';
import { assertSafeTarget, type GuardConfig, type GuardInput, type NamedUrl } from '../guard/index.js';
import type { VibesOptions } from './options.js';
import type { AppUserCleanup } from './removers.js';

export interface DatabaseSettings {
  entitlements?: EntitlementsConfig;
  cleanup?: { appUser?: AppUserCleanup };
  db?: DbConfig;
}

/**
 * What the guard must see of the options, besides the environment: every database they name and
 * every URL they send requests to, resolved on `baseURL` as the requests resolve them (an endpoint
 * such as `cleanup.appUser.url` may be a path, and `//host/…` is a path that leaves the base URL).
 * The config, the setup project and the cleanup fixture (where `test.use` may have named others)
 * each check it.
 */
export function configuredTargets(settings: DatabaseSettings & Pick<VibesOptions, 'app' | 'webhooks'>, baseURL?: string): Pick<GuardInput, 'databaseUrls' | 'urls'> {
  const urls = configuredUrls(settings).map(({ name, url }) => ({ name, url: url && resolvedOrAsIs(name, url, baseURL) }));
  return { databaseUrls: configuredDatabaseUrls(settings), urls };
}

/**
 * Every database URL a vibes config names, under the name a refusal should show: the safety
 * guard must see each of them, not only the environment's, before anything is written or deleted.
 */
function configuredDatabaseUrls({ entitlements, cleanup, db }: DatabaseSettings): NamedUrl[] {
  const appUser = cleanup?.appUser;
  return [
    { name: 'db.url', url: db?.url },
    { name: 'entitlements.databaseUrl', url: entitlements && 'sql' in entitlements ? entitlements.databaseUrl : undefined },
    { name: 'cleanup.appUser.databaseUrl', url: appUser && 'sql' in appUser ? appUser.databaseUrl : undefined },
  ];
}

/**
 * URLs the options send requests to besides the browser's, under their option path: a production
 * host in any is refused like one in the base URL (a removal there is a DELETE on production).
 */
function configuredUrls({ app, webhooks, entitlements, cleanup }: Pick<VibesOptions, 'app' | 'webhooks' | 'entitlements' | 'cleanup'>): NamedUrl[] {
  const appUser = cleanup?.appUser;
  return [
    { name: 'app.url', url: typeof app === 'object' ? app.url : undefined },
    { name: 'webhooks.forwardTo', url: webhooks?.forwardTo },
    { name: 'entitlements.url', url: entitlements && 'url' in entitlements ? entitlements.url : undefined },
    { name: 'cleanup.appUser.url', url: appUser && 'url' in appUser ? appUser.url : undefined },
  ];
}

/** A URL that does not resolve is judged as it is: no request can be sent to it either. */
function resolvedOrAsIs(name: string, url: string, baseURL: string | undefined): string {
  try {
    return endpointUrl(name, url, baseURL).href;
  } catch {
    return url;
  }
}

/**
 * Opens the database some SQL of the app's runs on: `own` when its setting names a databaseUrl
 * (e.g. entitlements.databaseUrl), else the app's. `label` names the SQL in its errors
 * ('entitlements.sql failed: …'). Nothing connects before the first statement, and the guard
 * checks the database first.
 */
export type OpenAppDatabase = (label: string, own?: NamedUrl) => AppDatabase;

/** The app's databases for one worker or command, under its `db` config and guard config. */
export function appDatabases({ db = {}, guard = {} }: { db?: DbConfig; guard?: GuardConfig } = {}): OpenAppDatabase {
  return (label, own) =>
    new AppDatabase(async () => {
      // The environment's databases are the guard's own; those a config names are added by name.
      assertSafeTarget({ config: guard, databaseUrls: [...configuredDatabaseUrls({ db }), ...(own ? [own] : [])] });
      return own?.url ? { url: own.url } : appDatabase(db);
    }, label);
}

/** The app's database: db.url, else DATABASE_URL (the app's own variable), else the run's. */
async function appDatabase(db: DbConfig = {}): Promise<ResolvedDatabase> {
  const named = db.url || process.env.DATABASE_URL;
  if (named) return { url: named };
  return {
    url: await defaultDatabaseUrl(),
    fallback:
      "No setting names the app's database (db: { url } in defineVibesConfig, or DATABASE_URL), so this ran on the preset's own " +
      "(VIBES_DATABASE_URL, else its embedded Postgres), where an app's tables usually are not. Set DATABASE_URL in .env.test to the " +
      'database your app uses in tests.',
  };
}

/**
 * Said when the app the run starts takes its database from its own env files (the guard has passed
 * it: local, or named as a test database): the test users go there, often the developer's own data.
 */
export function appFileDatabaseNotice(found: { name: string; value: string; file: string }): string {
  return `your app reads ${found.name} from its ${found.file} (${redactUrl(found.value)}), as the run sets none: its test users are made there. ` +
    `Set ${found.name} in .env.test to your app's test database.`;
}

/** The run's own database (ledger, replay store), and the app's when nothing names one: configured, else the running embedded cluster. */
export async function defaultDatabaseUrl(): Promise<string> {
  const fromEnv = databaseUrlFromEnv();
  if (fromEnv) return fromEnv;
  const embedded = await findRunningEmbeddedPostgres();
  if (embedded) return embedded.url;
  throw new Error(
    'No database to query: set DATABASE_URL or VIBES_DATABASE_URL (in .env.test), or db: { url } in defineVibesConfig. ' +
      'Without them the preset uses the embedded Postgres its replay server started, and none is running.',
  );
}
