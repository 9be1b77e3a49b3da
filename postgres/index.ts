export { openDatabase, databaseUrlFromEnv, redactUrl, type Database, type DatabaseOptions } from './database.js';
export {
  startEmbeddedPostgres,
  findRunningEmbeddedPostgres,
  stopEmbeddedPostgres,
  defaultDataDir,
  DEFAULT_DATA_DIR,
  type EmbeddedServer,
  type EmbeddedOptions,
} from './embedded.js';
export { migrate, type Migration, type MigrationSet } from './migrate.js';
export { inTransaction } from './transaction.js';
