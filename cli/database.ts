import { databaseUrlFromEnv, openDatabase, type Database } from '../postgres/index.js';
import { onShutdown } from '../core/index.js';
import { assertSafeTarget } from '../guard/index.js';

export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
  ephemeral?: boolean;
}

/**
 * The database every long-running command uses: `--database-url`, else VIBES_DATABASE_URL or
 * DATABASE_URL, else an embedded Postgres under .vibes/postgres (or a temporary one).
 */
export async function openCommandDatabase(flags: DatabaseFlags): Promise<Database> {
  // Every such command writes (migrations, events, ledger rows): only to a test database, as a
  // run would. The environment's databases (VIBES_DATABASE_URL, DATABASE_URL) are the guard's own.
  assertSafeTarget({ databaseUrls: flags.databaseUrl ? [{ name: '--database-url', url: flags.databaseUrl }] : [] });
  const db = await openDatabase({
    url: flags.databaseUrl ?? databaseUrlFromEnv(),
    dataDir: flags.dataDir,
    ephemeral: flags.ephemeral,
  });
  onShutdown(() => db.close());
  return db;
}

/** The options that go with `openCommandDatabase`, shared by every server command. */
export const databaseOptionHelp = {
  databaseUrl: 'Postgres URL (default: VIBES_DATABASE_URL, then DATABASE_URL, then an embedded Postgres)',
  dataDir: 'data directory of the embedded Postgres',
  ephemeral: 'use a temporary embedded Postgres, removed at exit',
};
