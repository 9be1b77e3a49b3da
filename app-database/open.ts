import { databaseUrlFromEnv, findRunningEmbeddedPostgres, redactUrl } from '../postgres/index.js';
import { assertSafeTarget, type GuardConfig, type NamedUrl } from '../guard/index.js';
import { AppDatabase, type DbConfig, type ResolvedDatabase } from './db.js';

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
      assertSafeTarget({ config: guard, databaseUrls: [{ name: 'db.url', url: db.url }, ...(own ? [own] : [])] });
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
