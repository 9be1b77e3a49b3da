import { databaseUrlFromEnv, openDatabase, type Database } from '../postgres/index.js';
import { onShutdown } from '../core/index.js';
import { assertSafeTarget } from '../guard/index.js';
import { UsageError } from './usage-error.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
  ephemeral?: boolean;
}

/**
 * The database every long-running command uses: `--database-url`, else VIBES_DATABASE_URL or
 * DATABASE_URL, else an embedded Postgres under .vibes/postgres. `--ephemeral` and `--data-dir`
 * ask for an embedded Postgres by name, so they win over the environment's URLs (which a
 * project's .env.test sets): a throwaway store must never be the app's test database.
 */
export async function openCommandDatabase(flags: DatabaseFlags): Promise<Database> {
  const embeddedFlag = flags.ephemeral ? '--ephemeral' : flags.dataDir ? '--data-dir' : undefined;
  if (embeddedFlag && flags.databaseUrl) {
    throw new UsageError(`${embeddedFlag} asks for an embedded Postgres, and --database-url names a server: pass one of them.`);
  }
  // Every such command writes (migrations, events, ledger rows): only to a test database, as a
  // run would. The environment's databases (VIBES_DATABASE_URL, DATABASE_URL) are the guard's own.
  assertSafeTarget({ databaseUrls: flags.databaseUrl ? [{ name: '--database-url', url: flags.databaseUrl }] : [] });
  const db = await openDatabase({
    url: embeddedFlag ? undefined : (flags.databaseUrl ?? databaseUrlFromEnv()),
    dataDir: flags.dataDir,
    ephemeral: flags.ephemeral,
  });
  onShutdown(() => db.close());
  return db;
}

/** The options that go with `openCommandDatabase`, shared by every server command. */
export const databaseOptionHelp = {
  databaseUrl: 'Postgres URL (default: VIBES_DATABASE_URL, then DATABASE_URL, then an embedded Postgres)',
  dataDir: 'data directory of an embedded Postgres (used even when the environment names a database URL)',
  ephemeral: 'use a temporary embedded Postgres, removed at exit (even when the environment names a database URL)',
};
